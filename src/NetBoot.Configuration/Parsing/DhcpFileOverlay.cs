using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary>A file of a watched <c>dhcp-hostsdir</c>/<c>dhcp-optsdir</c> that was created or changed, applied to the
/// configuration in force without SIGHUP. As in dnsmasq, entries are only added this way: a line removed from a file,
/// or a file deleted, stays in effect until SIGHUP re-reads the directories (dnsmasq.8, <c>--dhcp-hostsdir</c>).</summary>
public static class DhcpFileOverlay
{
    public static ServerConfig Apply(ServerConfig config, DhcpFileContent content)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(content);
        if (content.Hosts.IsEmpty && content.Options.IsEmpty)
        {
            return config;
        }
        // dnsmasq parity (option.c, dhcp-host): each new host is put at the head of daemon->dhcp_conf, so the line read
        // last is found first: a file rewritten from "MAC,ignore" to "MAC,set:x" (Ironic) takes effect at once. An older
        // line of the same file that the new one shadows entirely (same client, tags and address: no request can reach
        // it any more) is dropped, so that a file rewritten at every state change does not grow the list until SIGHUP.
        var hosts = content.Hosts.AddRange(config.Hosts.Where(old => old.Source.File != content.Path || !content.Hosts.Any(n => Shadows(n, old))));
        // dnsmasq finds the option read last first too; NetBoot's rule is "the later line wins among equals", so an
        // earlier line of the same file for the same option and tags (which could never win again) is dropped.
        var options = config.Options.RemoveAll(old => old.Source.File == content.Path && content.Options.Any(n => Supersedes(n, old)))
            .AddRange(content.Options);
        // Listed last among the files read, so its options order after the configuration's (SourceOrder).
        var files = config.SourceFiles.Remove(content.Path).Add(content.Path);
        return config with { Hosts = hosts, Options = options, SourceFiles = files };
    }

    private static bool Shadows(DhcpHostConfig next, DhcpHostConfig old) =>
        next.Address == old.Address
        && next.IgnoresClientId == old.IgnoresClientId
        && next.HardwareAddresses.SequenceEqual(old.HardwareAddresses, HardwareAddressComparer.Instance)
        && next.ClientIds.Length == old.ClientIds.Length
        && next.ClientIds.Zip(old.ClientIds).All(p => p.First.SequenceEqual(p.Second))
        && next.Filter.ToString() == old.Filter.ToString();

    private sealed class HardwareAddressComparer : IEqualityComparer<HardwareAddressPattern>
    {
        public static readonly HardwareAddressComparer Instance = new();

        public bool Equals(HardwareAddressPattern? x, HardwareAddressPattern? y) =>
            x is not null && y is not null && x.HardwareType == y.HardwareType && x.Bytes.SequenceEqual(y.Bytes);

        public int GetHashCode(HardwareAddressPattern obj) => obj.HardwareType;
    }

    private static bool Supersedes(DhcpOptionConfig next, DhcpOptionConfig old) =>
        next.Code == old.Code
        && next.Directive == old.Directive
        && next.VendorClass == old.VendorClass
        && next.EncapsulatingOption == old.EncapsulatingOption
        && next.VendorIdentifyingEnterprise == old.VendorIdentifyingEnterprise
        && next.Filter.ToString() == old.Filter.ToString();
}
