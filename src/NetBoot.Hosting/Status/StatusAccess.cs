using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace NetBoot.Hosting.Status;

/// <summary>Who may read the metrics and the dashboard: the Host header check (against DNS rebinding) and the
/// dashboard token check. Pure functions; <see cref="StatusWebService"/> applies them to every request.</summary>
internal static class StatusAccess
{
    /// <summary>RFC 9110 §15.5.20 421 Misdirected Request: "this server is not the one that name is for".</summary>
    public const int RefusedHostStatus = 421;

    /// <summary>Whether a request whose Host header is <paramref name="host"/> may be answered. A page on another site
    /// can make a browser connect to 127.0.0.1:9168 by pointing its own name there (DNS rebinding) and then read the
    /// answer as its own, but the browser still sends that name in Host, so only names this server is known by are
    /// answered (as ASP.NET Core's HostFiltering does; checked here so the loopback rule can see the connection):
    /// <list type="bullet">
    /// <item>an IP literal (IPv4 dotted quad, or IPv6 in brackets): a browser sends one only for a page at that
    /// address, which no other site's page is, so any literal is safe to answer (and a scrape through a forwarded
    /// port, whose address is not the one listened on, keeps working);</item>
    /// <item><c>localhost</c>, when the request arrived on a loopback address;</item>
    /// <item>one of <paramref name="names"/> (this machine's host name and <c>status-host=</c>), without regard to
    /// case or a trailing dot;</item>
    /// <item>no Host at all (HTTP/1.0: no browser sends that).</item>
    /// </list>
    /// The port is not compared: the listener already chose it.</summary>
    public static bool IsAllowedHost(string? host, bool arrivedOnLoopback, IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (string.IsNullOrEmpty(host))
        {
            return true;
        }
        if (!TrySplitHost(host, out var name, out var isIPv6Literal))
        {
            return false;
        }
        if (isIPv6Literal || IsDottedQuad(name))
        {
            return true;
        }
        name = name.EndsWith('.') ? name[..^1] : name;
        if (arrivedOnLoopback && name.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return names.Any(n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary><paramref name="host"/> without its port: <c>name[:port]</c> or <c>[v6][:port]</c>. False when the
    /// text is neither (a bracket without its IPv6 address, a port that is not a number).</summary>
    internal static bool TrySplitHost(string host, out string name, out bool isIPv6Literal)
    {
        isIPv6Literal = false;
        name = host;
        string port;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(host[1..close], out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }
            isIPv6Literal = true;
            name = host[..(close + 1)];
            port = host[(close + 1)..];
            return port.Length == 0 || IsPort(port);
        }
        var colon = host.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return host.Length > 0;
        }
        name = host[..colon];
        return name.Length > 0 && IsPort(host[colon..]);
    }

    private static bool IsPort(string colonAndDigits) =>
        colonAndDigits.Length is > 1 and <= 6 && colonAndDigits[0] == ':' && colonAndDigits[1..].All(char.IsAsciiDigit);

    /// <summary>Four decimal numbers of 0-255: the form a browser puts in Host for an IPv4 address (it rewrites
    /// <c>127.1</c> or <c>0x7f000001</c> to this before sending).</summary>
    internal static bool IsDottedQuad(string name)
    {
        var parts = name.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)
            && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    /// <summary>The dashboard token check, in time that depends on neither the token nor the guess: both are hashed
    /// (SHA-256) and the two 32-byte digests compared with <see cref="CryptographicOperations.FixedTimeEquals"/>.
    /// Comparing the raw bytes would return at once when the lengths differ, telling a prober the token's length.</summary>
    public static bool TokenMatches(string given, string token)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(token);
        return CryptographicOperations.FixedTimeEquals(Digest(given), Digest(token));
    }

    internal static byte[] Digest(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
