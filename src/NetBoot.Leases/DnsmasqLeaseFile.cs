using System.Buffers;
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
        using var bytes = new MemoryStream();
        Write(bytes, leases, now);
        return Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
    }

    /// <summary>Writes the file's lines to <paramref name="output"/> as UTF-8, through one reused buffer: no string per
    /// line nor one for the whole file (the table may hold 100 000 leases, and this runs while DHCP is being served).</summary>
    public static void Write(Stream output, IEnumerable<Lease> leases, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(leases);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var used = 0;
            foreach (var lease in leases)
            {
                if (lease.State != LeaseState.Bound || !lease.IsActiveAt(now))
                {
                    continue;
                }
                var host = lease.HostName ?? "*";
                // Longest line: expiry, "tt-" and the hardware bytes, address, the host name, the client-id bytes.
                var longest = 20 + 3 + 3 * lease.HardwareAddress.Bytes.Length + 16 + Encoding.UTF8.GetMaxByteCount(host.Length) + 3 * Math.Max(1, lease.ClientId.Length) + 5;
                if (buffer.Length - used < longest)
                {
                    output.Write(buffer, 0, used);
                    used = 0;
                    if (buffer.Length < longest)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(longest);
                    }
                }
                used += FormatLine(buffer.AsSpan(used), lease, host);
            }
            output.Write(buffer, 0, used);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One line, <c>expiry mac ip hostname|* client-id|*</c>; <paramref name="line"/> is long enough.</summary>
    private static int FormatLine(Span<byte> line, Lease lease, string host)
    {
        var n = 0;
        if (lease.IsInfinite)
        {
            line[n++] = (byte)'0';
        }
        else
        {
            lease.Expires.ToUnixTimeSeconds().TryFormat(line, out var written, default, CultureInfo.InvariantCulture);
            n += written;
        }
        line[n++] = (byte)' ';
        if (lease.HardwareAddress.HardwareType != 1)
        {
            n += Hex(line[n..], [lease.HardwareAddress.HardwareType]);
            line[n++] = (byte)'-';
        }
        n += Hex(line[n..], lease.HardwareAddress.Bytes.AsSpan());
        line[n++] = (byte)' ';
        n += FormatAddress(line[n..], lease.Address.Value);
        line[n++] = (byte)' ';
        n += Encoding.UTF8.GetBytes(host, line[n..]);
        line[n++] = (byte)' ';
        if (lease.ClientId.IsDefaultOrEmpty)
        {
            line[n++] = (byte)'*';
        }
        else
        {
            n += Hex(line[n..], lease.ClientId.AsSpan());
        }
        line[n++] = (byte)'\n';
        return n;
    }

    private static int FormatAddress(Span<byte> text, uint address)
    {
        var n = 0;
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            ((address >> shift) & 0xFF).TryFormat(text[n..], out var written, default, CultureInfo.InvariantCulture);
            n += written;
            if (shift > 0)
            {
                text[n++] = (byte)'.';
            }
        }
        return n;
    }

    /// <summary><c>xx:xx:…</c>, lower case, as UTF-8.</summary>
    private static int Hex(Span<byte> text, ReadOnlySpan<byte> bytes)
    {
        var n = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                text[n++] = (byte)':';
            }
            text[n++] = (byte)HexDigits[bytes[i] >> 4];
            text[n++] = (byte)HexDigits[bytes[i] & 0xF];
        }
        return n;
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
    public static Task WriteAsync(string path, IEnumerable<Lease> leases, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0))
        {
            Write(file, leases, now);
        }
        File.Move(temporary, path, overwrite: true);
        return Task.CompletedTask;
    }
}
