using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tftp;

/// <summary>The kernel's neighbour table (<c>/proc/net/arp</c>), for <c>tftp-unique-root=mac</c>: dnsmasq takes the
/// client's MAC from its lease database or from ARP; a TFTP client has just talked to us, so ARP knows it.</summary>
internal static class ArpTable
{
    public const string ProcPath = "/proc/net/arp";

    /// <summary>Looks <paramref name="address"/> up in the live table; null when absent or unreadable.</summary>
    public static HardwareAddress? Lookup(IPv4Address address)
    {
        try
        {
            return Find(File.ReadAllText(ProcPath), address);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses the table text: <c>IP address  HW type  Flags  HW address  Mask  Device</c>, one header line.
    /// Incomplete entries (flags 0x0, MAC all zero) are skipped.</summary>
    public static HardwareAddress? Find(string table, IPv4Address address)
    {
        ArgumentNullException.ThrowIfNull(table);
        var wanted = address.ToString();
        foreach (var line in table.Split('\n').Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[0] != wanted || fields[2] == "0x0")
            {
                continue;
            }
            if (HardwareAddress.TryParse(fields[3], out var mac) && mac.Bytes.AsSpan().ContainsAnyExcept((byte)0))
            {
                return mac;
            }
        }
        return null;
    }
}
