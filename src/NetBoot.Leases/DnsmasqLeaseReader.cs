using System.Collections.Immutable;
using System.Globalization;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Leases;

/// <summary>Reads dnsmasq's lease database format (lease.c <c>read_leases</c>): one lease a line,
/// <c>EXPIRES MAC ADDRESS HOSTNAME|* CLIENTID|*</c>, as <c>dhcp-script init</c> prints it under <c>leasefile-ro</c>.
/// IPv6 leases, the <c>duid</c> line and the <c>vendorclass</c>/<c>agent-info</c> extras are skipped (NetBoot serves
/// DHCPv4 and keeps neither); a line that does not parse is returned as rejected, as dnsmasq logs and skips it.</summary>
public static class DnsmasqLeaseReader
{
    public static (IReadOnlyList<Lease> Leases, IReadOnlyList<string> Rejected) Read(TextReader input, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(input);
        var leases = new List<Lease>();
        var rejected = new List<string>();
        while (input.ReadLine() is { } line)
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0] is "duid" or "vendorclass" or "agent-info" || (fields.Length >= 3 && fields[2].Contains(':', StringComparison.Ordinal)))
            {
                continue;
            }
            if (TryParse(fields) is not { } lease)
            {
                rejected.Add(line);
                continue;
            }
            // lease_init prunes what has already expired.
            if (lease.IsActiveAt(now))
            {
                leases.Add(lease);
            }
        }
        return (leases, rejected);
    }

    private static Lease? TryParse(string[] fields)
    {
        if (fields.Length != 5
            || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || !IPv4Address.TryParse(fields[2], out var address)
            || TryParseHardware(fields[1]) is not { } hardware)
        {
            return null;
        }
        ImmutableArray<byte> clientId = [];
        if (fields[4] != "*")
        {
            if (TryParseHex(fields[4]) is not { } id)
            {
                return null;
            }
            clientId = id;
        }
        var hostName = fields[3] == "*" ? null : fields[3];
        // 0 is an infinite lease (dnsmasq writes expires 0 for it).
        var expiry = expires == 0 ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds(expires);
        var identity = new ClientIdentity(hardware, clientId);
        return new Lease(address, identity.Key, hardware, clientId, hostName, expiry, LeaseState.Bound);
    }

    /// <summary><c>aa:bb:…</c> for Ethernet, <c>TT-aa:bb:…</c> for another hardware type (lease.c, parse_hex's type).</summary>
    private static HardwareAddress? TryParseHardware(string text)
    {
        byte type = 1;
        if (text.Length > 3 && text[2] == '-')
        {
            if (!byte.TryParse(text.AsSpan(0, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out type))
            {
                return null;
            }
            text = text[3..];
        }
        return TryParseHex(text) is { Length: > 0 and <= 16 } bytes ? new HardwareAddress(type, bytes.AsSpan()) : null;
    }

    private static ImmutableArray<byte>? TryParseHex(string text)
    {
        var parts = text.Split(':');
        var bytes = ImmutableArray.CreateBuilder<byte>(parts.Length);
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 2 || !byte.TryParse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                return null;
            }
            bytes.Add(b);
        }
        return bytes.MoveToImmutable();
    }
}
