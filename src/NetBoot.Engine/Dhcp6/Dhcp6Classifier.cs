using System.Buffers.Binary;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp6;

namespace NetBoot.Engine.Dhcp6;

/// <summary>Tags of a DHCPv6 request (dnsmasq rfc3315.c): <c>dhcp-match=…,option6:n[,value]</c> compares the whole
/// option data as <c>match_bytes</c> does; <c>dhcp-vendorclass=…,enterprise:n,text</c> looks for the text inside each
/// vendor-class-data item of option 16 from that enterprise; <c>dhcp-userclass</c> looks for its text inside each item
/// of option 15 (iPXE sends "iPXE"); then <c>tag-if</c> rules run, as for DHCPv4.</summary>
public static class Dhcp6Classifier
{
    public static TagSet Classify(Dhcp6Message message, ServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(config);
        var tags = Classify(message, config.Ipv6);
        if (message.Options.TryGet(Dhcp6OptionCode.UserClass, out var userClass))
        {
            tags = tags.AddRange(config.UserClasses.Where(u => UserClassMatches(u.Pattern.AsSpan(), userClass.Span)).Select(u => u.SetTag));
        }
        return ClientClassifier.ApplyTagIfs(tags, config);
    }

    /// <summary>RFC 8415 §21.15: option 15 is a list of <c>user-class-len (2 bytes) | data</c> items; dnsmasq matches the
    /// text inside one item's data, never across items or length bytes.</summary>
    public static bool UserClassMatches(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> option)
    {
        while (option.Length >= 2)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(option);
            if (length > option.Length - 2)
            {
                return false;
            }
            if (option.Slice(2, length).IndexOf(pattern) >= 0)
            {
                return true;
            }
            option = option[(2 + length)..];
        }
        return false;
    }

    public static TagSet Classify(Dhcp6Message message, Ipv6Config config)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(config);
        var tags = TagSet.Empty;
        foreach (var match in config.Matches)
        {
            if (message.Options.TryGet(match.Code, out var option) && option.Span.Length >= 1 && OptionMatcher.ValueMatches(match.Value, option.Span))
            {
                tags = tags.Add(match.SetTag);
            }
        }
        foreach (var vendor in config.VendorClasses)
        {
            if (message.Options.VendorClasses.Any(v => v.EnterpriseNumber == vendor.EnterpriseNumber
                && v.Items.Any(item => item.AsSpan().IndexOf(vendor.Pattern.AsSpan()) >= 0)))
            {
                tags = tags.Add(vendor.SetTag);
            }
        }
        return tags;
    }

    /// <summary>UEFI HTTP Boot (UEFI 2.x §24.7.2): the client's vendor class starts with "HTTPClient"; EDK2 takes only an
    /// ADVERTISE that carries option 16 with "HTTPClient" and a bootfile URL.</summary>
    public static Dhcp6VendorClass? HttpClientClass(Dhcp6Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var vendor in message.Options.VendorClasses)
        {
            if (vendor.Items.Any(i => i.AsSpan().StartsWith("HTTPClient"u8)))
            {
                return new Dhcp6VendorClass(vendor.EnterpriseNumber, [[.. "HTTPClient"u8]]);
            }
        }
        return null;
    }

    internal static uint Hash(Duid duid, uint iaid)
    {
        // FNV-1a over DUID and IAID: a stable address per IA across restarts, as dnsmasq's address6_allocate hashes the
        // client id and IAID.
        var hash = 2166136261u;
        foreach (var b in duid.Bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }
        Span<byte> id = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(id, iaid);
        foreach (var b in id)
        {
            hash = (hash ^ b) * 16777619u;
        }
        return hash;
    }
}
