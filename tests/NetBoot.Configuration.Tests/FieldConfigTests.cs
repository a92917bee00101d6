using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Testing;

namespace NetBoot.Configuration.Tests;

/// <summary>Real configurations of the projects that drive dnsmasq for network boot (testdata/field-configs, see its
/// PROVENANCE.md) load, and none of their DHCPv4, TFTP or PXE directives is left "not in effect".</summary>
public sealed class FieldConfigTests
{
    public static TheoryData<string> Configs()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(TestPaths.TestData, "field-configs"), "*.conf").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Field_configuration_loads_with_no_dhcp_tftp_or_pxe_directive_not_in_effect(string name)
    {
        // read-ethers (Cobbler) reads the test's own ethers file, never this machine's /etc/ethers.
        var folder = Path.Combine(TestPaths.TestData, "field-configs");
        var result = DnsmasqConfigReader.Load(new ConfigInput { Files = [Path.Combine(folder, name)], EthersPath = Path.Combine(folder, "ethers") });

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        // DNS and IPv6 directives are reported under kinds of their own; every "not in effect" one is DHCPv4/TFTP/PXE.
        var notInEffect = result.Config!.Notices.Where(n => n.Kind == ConfigNoticeKind.NotInEffect)
            .Select(n => $"{n.Directive} ({n.Source}): {n.Message}").ToList();
        Assert.True(notInEffect.Count == 0, "not in effect:\n" + string.Join('\n', notInEffect));
    }
}
