using System.Collections.Immutable;
using System.Globalization;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp6;

/// <summary>One IPv6 address of an interface as the kernel lists it (<c>/proc/net/if_inet6</c>).</summary>
/// <param name="Tentative">Still in duplicate address detection (IFA_F_TENTATIVE): not usable as a source yet.</param>
public readonly record struct Ipv6InterfaceAddress(IPv6Address Address, int PrefixLength, bool Tentative = false);

/// <summary>An interface's IPv6 view: what the DHCPv6 service needs to build its <see cref="Engine.Dhcp6.Dhcp6Link"/>
/// and its DUID.</summary>
public sealed record Ipv6Interface(string Name, int Index, ImmutableArray<Ipv6InterfaceAddress> Addresses, HardwareAddress? HardwareAddress = null)
{
    /// <summary>Addresses a client can be given a range on: neither link-local nor loopback nor in DAD.</summary>
    public IEnumerable<Ipv6InterfaceAddress> Global =>
        Addresses.Where(a => !a.Tentative && !a.Address.IsLinkLocal && a.Address.Value != UInt128.One && !a.Address.IsMulticast);

    public IPv6Address? LinkLocal => Addresses.Where(a => a.Address.IsLinkLocal).Select(a => (IPv6Address?)a.Address).FirstOrDefault();
}

/// <summary>Reads the IPv6 addresses of this network namespace's interfaces from <c>/proc/net/if_inet6</c> (per network
/// namespace, like getifaddrs; the IPv4 <see cref="Net.InterfaceTable"/> does not carry IPv6) and their MAC from
/// <c>/sys/class/net/&lt;name&gt;/address</c>.</summary>
public static class Ipv6Interfaces
{
    private const int FlagTentative = 0x40;
    private const int FlagDadFailed = 0x08;

    public static ImmutableArray<Ipv6Interface> Read()
    {
        string text;
        try
        {
            // thread-self: the calling thread's network namespace (/proc/net is the process leader's).
            text = File.ReadAllText("/proc/thread-self/net/if_inet6");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No IPv6 in this kernel or namespace.
            return [];
        }
        return [.. Parse(text).Select(i => i with { HardwareAddress = ReadHardwareAddress(i.Name) })];
    }

    /// <summary>Lines of <c>address ifindex prefixlen scope flags name</c>, all hex but the name; one interface per name,
    /// in the kernel's order. Unreadable lines are skipped; addresses that failed DAD are left out.</summary>
    public static ImmutableArray<Ipv6Interface> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var order = new List<string>();
        var byName = new Dictionary<string, (int Index, List<Ipv6InterfaceAddress> Addresses)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[0].Length != 32
                || !UInt128.TryParse(fields[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
                || !int.TryParse(fields[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var index)
                || !int.TryParse(fields[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var prefix)
                || !int.TryParse(fields[4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var flags))
            {
                continue;
            }
            if ((flags & FlagDadFailed) != 0)
            {
                continue;
            }
            var name = fields[5];
            if (!byName.TryGetValue(name, out var entry))
            {
                entry = (index, []);
                byName[name] = entry;
                order.Add(name);
            }
            entry.Addresses.Add(new Ipv6InterfaceAddress(new IPv6Address(value), prefix, (flags & FlagTentative) != 0));
        }
        return [.. order.Select(n => new Ipv6Interface(n, byName[n].Index, [.. byName[n].Addresses]))];
    }

    private static HardwareAddress? ReadHardwareAddress(string name)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine("/sys/class/net", name, "address")).Trim();
            return HardwareAddress.TryParse(text, out var address) && address.Bytes.Any(b => b != 0) ? address : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
