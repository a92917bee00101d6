using System.Diagnostics;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Dhcp6;

/// <summary>IPv6 on a <see cref="DhcpLab"/>: the server's NIC gets a global address on the DHCPv6 range's prefix, and both
/// ends wait until their link-local addresses have passed duplicate address detection (a tentative address can be
/// neither a client's source, dhclient cannot bind it, nor the destination of the server's reply).</summary>
/// <remarks><code>
/// [srv] nbs0 fd78::1/64 ── veth ── nbc0 [cli]           (DHCPv6 range fd78::100-fd78::1ff)
/// </code></remarks>
internal static partial class Dhcp6Lab
{
    public const string Prefix = "fd78::";

    public const string Config = """
        port=0
        dhcp-range=fd78::100,fd78::1ff,64,1h
        dhcp-authoritative
        """;

    public static async Task PrepareAsync(DhcpLab lab)
    {
        lab.Server.Exec("ip", "-6", "addr", "add", "fd78::1/64", "dev", "nbs0", "nodad");
        // DhcpLab flushed the client's addresses, its link-local one too: down and up makes the kernel add it again.
        lab.Client.Exec("ip", "link", "set", "nbc0", "down");
        lab.Client.Exec("ip", "link", "set", "nbc0", "up");
        await WaitForLinkLocalAsync(lab.Server, "nbs0");
        await WaitForLinkLocalAsync(lab.Client, "nbc0");
    }

    /// <summary>Until <paramref name="device"/> has a link-local address out of DAD (about a second after the link is up).</summary>
    public static async Task WaitForLinkLocalAsync(NetworkNamespace ns, string device)
    {
        var clock = Stopwatch.StartNew();
        while (!ns.Exec("ip", "-6", "addr", "show", "dev", device, "scope", "link", "-tentative").Contains("inet6 fe80", StringComparison.Ordinal))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException($"{device} in {ns.Name} has no usable link-local address after 15 s:\n{ns.Exec("ip", "-6", "addr", "show", "dev", device)}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>The global IPv6 addresses on <paramref name="device"/>.</summary>
    public static string[] GlobalAddresses(NetworkNamespace ns, string device) =>
        [.. Inet6().Matches(ns.Exec("ip", "-6", "addr", "show", "dev", device, "scope", "global")).Select(m => m.Groups[1].Value)];

    /// <summary>The global addresses on <paramref name="device"/> that a DHCPv6 server gave (the kernel adds IA_NA
    /// addresses as /128; SLAAC addresses from a router advertisement carry the prefix's length).</summary>
    public static string[] LeasedAddresses(NetworkNamespace ns, string device) =>
        [.. Inet6Leased().Matches(ns.Exec("ip", "-6", "addr", "show", "dev", device, "scope", "global")).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"inet6 ([0-9a-f:]+)/128\b")]
    private static partial Regex Inet6Leased();

    public static void InRange(string address)
    {
        var value = System.Net.IPAddress.Parse(address).GetAddressBytes();
        var start = System.Net.IPAddress.Parse("fd78::100").GetAddressBytes();
        var end = System.Net.IPAddress.Parse("fd78::1ff").GetAddressBytes();
        Assert.True(value.AsSpan().SequenceCompareTo(start) >= 0 && value.AsSpan().SequenceCompareTo(end) <= 0, $"{address} is not in fd78::100-fd78::1ff");
    }

    [GeneratedRegex(@"inet6 ([0-9a-f:]+)/\d+")]
    private static partial Regex Inet6();
}
