using System.Globalization;
using System.Text;
using NetBoot.Engine.Leases;

namespace NetBoot.Leases;

/// <summary>dnsmasq's leases file (<c>dhcp-leasefile</c>, <c>src/lease.c</c> <c>lease_update_file</c>): one line per
/// lease, <c>expiry-epoch mac ip hostname|* client-id|*</c>, expiry 0 for infinite; for tools that read it.</summary>
public static class DnsmasqLeaseFile
{
    public static string Format(IEnumerable<Lease> leases, DateTimeOffset now)
    {
        // Written once a second with every lease (50 000 in the benchmark): no per-byte strings.
        var text = new StringBuilder();
        foreach (var lease in leases)
        {
            if (lease.State != LeaseState.Bound || !lease.IsActiveAt(now))
            {
                continue;
            }
            if (lease.IsInfinite)
            {
                text.Append('0');
            }
            else
            {
                text.Append(lease.Expires.ToUnixTimeSeconds());
            }
            text.Append(' ');
            AppendHardware(text, lease);
            text.Append(' ').Append(lease.Address).Append(' ').Append(lease.HostName ?? "*").Append(' ');
            if (lease.ClientId.IsDefaultOrEmpty)
            {
                text.Append('*');
            }
            else
            {
                AppendHex(text, lease.ClientId.AsSpan());
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>dnsmasq prints Ethernet addresses plainly and others as <c>type-xx:xx…</c>.</summary>
    public static string HardwareText(Lease lease)
    {
        var text = new StringBuilder(3 * 17);
        AppendHardware(text, lease);
        return text.ToString();
    }

    private static void AppendHardware(StringBuilder text, Lease lease)
    {
        if (lease.HardwareAddress.HardwareType != 1)
        {
            AppendHex(text, [lease.HardwareAddress.HardwareType]);
            text.Append('-');
        }
        AppendHex(text, lease.HardwareAddress.Bytes.AsSpan());
    }

    /// <summary><c>xx:xx:…</c>, lower case.</summary>
    private static void AppendHex(StringBuilder text, ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                text.Append(':');
            }
            text.Append(HexDigits[bytes[i] >> 4]).Append(HexDigits[bytes[i] & 0xF]);
        }
    }

    private const string HexDigits = "0123456789abcdef";

    /// <summary>Writes the file atomically (temporary file, then rename) so a reader never sees half of it.</summary>
    public static async Task WriteAsync(string path, IEnumerable<Lease> leases, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, Format(leases, now), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}
