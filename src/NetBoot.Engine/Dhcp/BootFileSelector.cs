using NetBoot.Configuration.Model;

namespace NetBoot.Engine.Dhcp;

/// <summary>dnsmasq <c>find_boot</c> (spec §1.8): first the <c>dhcp-boot</c> lines with tags that all match, then the
/// untagged ones. dnsmasq prepends each line to its list, so among matches the LAST line in the file wins.</summary>
public static class BootFileSelector
{
    public static DhcpBootConfig? Find(ServerConfig config, TagSet tags)
    {
        var lastFirst = config.BootFiles.Reverse().ToList();
        return lastFirst.FirstOrDefault(b => tags.MatchesTagged(b.Filter))
            ?? lastFirst.FirstOrDefault(b => b.Filter.IsEmpty);
    }
}
