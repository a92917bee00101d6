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
        var text = new StringBuilder();
        foreach (var lease in leases.Where(l => l.State == LeaseState.Bound && l.IsActiveAt(now)))
        {
            text.Append(lease.IsInfinite ? "0" : lease.Expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(HardwareText(lease)).Append(' ')
                .Append(lease.Address).Append(' ')
                .Append(lease.HostName ?? "*").Append(' ')
                .Append(lease.ClientId.IsDefaultOrEmpty ? "*" : Convert.ToHexStringLower(lease.ClientId.AsSpan()).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b))
                .Append('\n');
        }
        return text.ToString();
    }

    /// <summary>dnsmasq prints Ethernet addresses plainly and others as <c>type-xx:xx…</c>.</summary>
    public static string HardwareText(Lease lease)
    {
        var bytes = string.Join(':', lease.HardwareAddress.Bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        return lease.HardwareAddress.HardwareType == 1 ? bytes : $"{lease.HardwareAddress.HardwareType:x2}-{bytes}";
    }

    /// <summary>Writes the file atomically (temporary file, then rename) so a reader never sees half of it.</summary>
    public static async Task WriteAsync(string path, IEnumerable<Lease> leases, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, Format(leases, now), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}
