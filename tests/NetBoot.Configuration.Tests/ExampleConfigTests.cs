using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Testing;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Tests;

/// <summary>The reference configurations parse to the model the responders need.</summary>
public class ExampleConfigTests
{
    internal static string ExamplePath(string name) =>
        Path.Combine(TestPaths.Examples, name);

    private static ServerConfig Example(string name)
    {
        var result = DnsmasqConfigReader.Parse(File.ReadAllText(ExamplePath(name)), name);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return result.Config!;
    }

    [Fact]
    public void Ubuntu_ltsp_proxy_config_parses_to_the_wiki_model()
    {
        var config = Example("ltsp.conf");
        var range = Assert.Single(config.Ranges);
        Assert.Equal(DhcpRangeMode.Proxy, range.Mode);
        Assert.Equal(IPv4Address.Parse("192.168.1.0"), range.Start);
        Assert.True(config.LogDhcp);
        Assert.True(config.NoOverride);
        Assert.False(config.Tftp.IsEnabled);
        Assert.Equal("/var/lib/tftpboot", config.Tftp.Root);
        Assert.Equal("/ltsp/i386/pxelinux.0", Assert.Single(config.BootFiles).FileName);
        Assert.Equal(2, config.Options.Length);
        Assert.Equal(17, config.Options[0].Code);
        Assert.Equal("/opt/ltsp/i386"u8.ToArray(), config.Options[0].Value.ToArray());
        Assert.Equal("PXEClient", config.Options[1].VendorClass);
        Assert.Equal([(byte)6, (byte)2], new[] { config.Options[1].Code, config.Options[1].Value.Single() });
        var prompt = Assert.Single(config.PxePrompts);
        Assert.Equal(("Press F8 for boot menu", (byte)3), (prompt.Text, prompt.Timeout));
        Assert.Collection(config.PxeServices,
            s => Assert.Equal((0, "Boot from network", (ushort)0x8000, "/ltsp/i386/pxelinux"), (s.Architecture, s.MenuText, s.BootServerType, s.BaseName)),
            s => Assert.Equal((0, "Boot from local hard disk", (ushort)0, (string?)null), (s.Architecture, s.MenuText, s.BootServerType, s.BaseName)));
        Assert.True(config.IsPxeEnabled);
        Assert.DoesNotContain(config.Notices, n => n.Kind == ConfigNoticeKind.Warning);
    }

    [Fact]
    public void Two_nic_ltsp_config_has_a_proxy_and_a_leasing_range_and_hosts()
    {
        var config = Example("ltsp-2nic.conf");
        Assert.Equal([DhcpRangeMode.Proxy, DhcpRangeMode.Dynamic], config.Ranges.Select(r => r.Mode));
        Assert.Equal(TimeSpan.FromHours(8), config.Ranges[1].LeaseTime);
        Assert.True(config.Tftp.IsEnabled);
        Assert.Equal(2, config.Hosts.Length);
        Assert.True(config.Hosts[0].IsInfinite);
        Assert.Equal("thin02", config.Hosts[1].HostName);
        Assert.Contains(config.Options, o => o.Code == 3 && o.Value.SequenceEqual(new byte[] { 192, 168, 67, 1 }));
    }

    [Fact]
    public void Uefi_mixed_config_matches_both_x86_64_arch_codes_and_tags_services()
    {
        var config = Example("uefi-mixed.conf");
        Assert.Equal([7, 9], config.Matches.Select(m => (int)m.Value!.Bytes[1]));
        Assert.Equal(["efi-x86_64", "efi-x86_64"], config.Matches.Select(m => m.SetTag));
        Assert.Equal("ipxe", Assert.Single(config.UserClasses).SetTag);
        Assert.Equal([0, 7, 0], config.PxeServices.Select(s => (int)s.Architecture));
        Assert.Equal([0x8000, 0x8001, 0], config.PxeServices.Select(s => (int)s.BootServerType));
        Assert.Equal("tag:!ipxe", config.PxeServices[1].Filter.ToString());
        Assert.Equal(5, Assert.Single(config.PxePrompts).Timeout);
        Assert.Equal("tag:ipxe", Assert.Single(config.BootFiles).Filter.ToString());
    }

    /// <summary>The directives of LTSP's modern template (ltsp/ltsp ltsp/server/dnsmasq/ltsp-dnsmasq.conf), written out here.</summary>
    internal const string ModernLtspDirectives = """
        port=0
        enable-tftp
        tftp-root=/srv/tftp
        dhcp-range=192.168.67.20,192.168.67.250,12h
        dhcp-range=set:proxy,192.168.0.0,proxy,255.255.255.0
        dhcp-option=option:dns-server,0.0.0.0,8.8.8.8,208.67.222.222
        dhcp-match=set:X86PC,option:client-arch,0
        dhcp-match=set:X86-64_EFI,option:client-arch,7
        dhcp-match=set:X86-64_EFI,option:client-arch,9
        dhcp-mac=set:rpi,b8:27:eb:*:*:*
        dhcp-mac=set:rpi,dc:a6:32:*:*:*
        dhcp-match=set:ipxe-http,175,19
        dhcp-match=set:ipxe-menu,175,39
        dhcp-match=set:ipxe-pxe,175,33
        dhcp-match=set:ipxe-bzimage,175,24
        dhcp-match=set:ipxe-efi,175,36
        tag-if=set:ipxe,tag:ipxe-http,tag:ipxe-menu,tag:ipxe-pxe,tag:ipxe-bzimage
        tag-if=set:ipxe,tag:ipxe-http,tag:ipxe-menu,tag:ipxe-efi
        pxe-service=tag:proxy,tag:!ipxe,X86PC,"undionly.kpxe",ltsp/undionly.kpxe
        pxe-service=tag:proxy,tag:!ipxe,X86-64_EFI,"snponly.efi",ltsp/snponly.efi
        pxe-service=tag:proxy,tag:ipxe,X86PC,"ltsp.ipxe",ltsp/ltsp.ipxe
        pxe-service=tag:proxy,tag:ipxe,X86-64_EFI,"ltsp.ipxe",ltsp/ltsp.ipxe
        pxe-service=tag:rpi,X86PC,"Raspberry Pi Boot   ",unused
        dhcp-boot=tag:!ipxe,tag:X86PC,ltsp/undionly.kpxe
        dhcp-boot=tag:!ipxe,tag:X86-64_EFI,ltsp/snponly.efi
        dhcp-boot=tag:ipxe,ltsp/ltsp.ipxe
        """;

    [Fact]
    public void Modern_ltsp_template_parses_with_tagged_services_and_the_raspberry_pi_entry()
    {
        var result = DnsmasqConfigReader.Parse(ModernLtspDirectives, "ltsp-dnsmasq.conf");
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var config = result.Config!;
        Assert.Equal("proxy", config.Ranges[1].SetTag);
        Assert.Equal(DhcpRangeMode.Proxy, config.Ranges[1].Mode);
        Assert.True(config.Options[0].HasServerAddressPlaceholder);
        Assert.Equal(8, config.Matches.Length);
        Assert.Equal(2, config.TagIfs.Length);
        Assert.Equal(5, config.PxeServices.Length);
        Assert.Equal("tag:proxy,tag:!ipxe", config.PxeServices[0].Filter.ToString());
        Assert.Equal([0x8000, 0x8001, 0x8002, 0x8003, 0x8004], config.PxeServices.Select(s => (int)s.BootServerType));
        Assert.Equal("Raspberry Pi Boot   ", config.PxeServices[4].MenuText);
        Assert.Equal(3, config.BootFiles.Length);
    }

    public static TheoryData<string> LabConfigs() =>
        [.. Directory.GetFiles(Path.Combine(TestPaths.TestData, "lab"), "dnsmasq-*.conf", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(LabConfigs))]
    public void Lab_configs_parse(string path)
    {
        var result = DnsmasqConfigReader.Load(new ConfigInput { Files = [path] });
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Contains(result.Config!.Interfaces.Include.Single(), new[] { "br0", "eth0" });
        Assert.True(result.Config.Interfaces.BindInterfaces);
        Assert.Equal("root", result.Config.User);
    }

    [Fact]
    public void Lab_full_dhcp_config_selects_boot_files_by_arch_and_ipxe()
    {
        var result = DnsmasqConfigReader.Load(new ConfigInput { Files = [Path.Combine(TestPaths.TestData, "lab", "uefi-aarch64-full", "dnsmasq-pxelab.conf")] });
        var config = result.Config!;
        Assert.True(config.Authoritative);
        var range = Assert.Single(config.Ranges);
        Assert.Equal((DhcpRangeMode.Dynamic, "192.0.2.100", "192.0.2.150"), (range.Mode, range.Start.ToString(), range.End.ToString()));
        Assert.Equal(["boot.ipxe", "undionly.0", "bootx64.efi", "bootaa64.efi", "http://192.0.2.1/bootx64.efi"], config.BootFiles.Select(b => b.FileName));
        Assert.Equal("tag:!ipxe,tag:efi-arm64", config.BootFiles[3].Filter.ToString());
        var force = Assert.Single(config.Options, o => o.Directive == DhcpOptionDirective.Force);
        Assert.Equal((60, "tag:efihttp"), (force.Code, force.Filter.ToString()));
        Assert.Equal("HTTPClient"u8.ToArray(), force.Value.ToArray());
        Assert.Equal(11, config.Matches.Last().Value!.Bytes[1]);
    }

    [Fact]
    public void Lab_proxy_config_has_the_boot_menu()
    {
        var config = DnsmasqConfigReader.Load(new ConfigInput { Files = [Path.Combine(TestPaths.TestData, "lab", "bios-ipxe-proxy", "dnsmasq-pxelab.conf")] }).Config!;
        var range = Assert.Single(config.Ranges);
        Assert.Equal((DhcpRangeMode.Proxy, "255.255.255.0"), (range.Mode, range.Netmask.ToString()));
        Assert.Equal([0x8000, 0, 0x8001, 0x8002, 0x8003], config.PxeServices.Select(s => (int)s.BootServerType));
        Assert.Equal(["undionly", null, "bootx64", "boot.ipxe", "boot.ipxe"], config.PxeServices.Select(s => s.BaseName));
        Assert.Equal(3, Assert.Single(config.PxePrompts).Timeout);
    }
}
