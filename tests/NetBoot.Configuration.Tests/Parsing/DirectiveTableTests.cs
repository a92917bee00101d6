using NetBoot.Configuration.Parsing;

namespace NetBoot.Configuration.Tests.Parsing;

public class DirectiveTableTests
{
    [Theory]
    [InlineData("dhcp-range"), InlineData("dhcp-host"), InlineData("dhcp-boot"), InlineData("dhcp-option")]
    [InlineData("dhcp-option-force"), InlineData("dhcp-option-pxe"), InlineData("pxe-service"), InlineData("pxe-prompt")]
    [InlineData("dhcp-pxe-vendor"), InlineData("dhcp-match"), InlineData("dhcp-vendorclass"), InlineData("dhcp-userclass")]
    [InlineData("dhcp-mac"), InlineData("dhcp-circuitid"), InlineData("dhcp-remoteid"), InlineData("dhcp-subscrid")]
    [InlineData("tag-if"), InlineData("dhcp-ignore"), InlineData("dhcp-no-override"), InlineData("dhcp-authoritative")]
    [InlineData("dhcp-lease-max"), InlineData("dhcp-leasefile"), InlineData("dhcp-script"), InlineData("dhcp-sequential-ip")]
    [InlineData("no-ping"), InlineData("dhcp-reply-delay"), InlineData("dhcp-alternate-port"), InlineData("log-dhcp")]
    [InlineData("log-queries"), InlineData("log-facility"), InlineData("interface"), InlineData("except-interface")]
    [InlineData("no-dhcp-interface"), InlineData("listen-address"), InlineData("bind-interfaces"), InlineData("bind-dynamic")]
    [InlineData("enable-tftp"), InlineData("tftp-root"), InlineData("tftp-unique-root"), InlineData("tftp-secure")]
    [InlineData("tftp-no-fail"), InlineData("tftp-max"), InlineData("tftp-port-range"), InlineData("tftp-single-port")]
    [InlineData("tftp-lowercase"), InlineData("tftp-no-blocksize"), InlineData("tftp-mtu"), InlineData("quiet-tftp")]
    [InlineData("user"), InlineData("group"), InlineData("pid-file"), InlineData("keep-in-foreground"), InlineData("no-daemon")]
    [InlineData("conf-file"), InlineData("conf-dir"), InlineData("port")]
    public void Every_directive_netboot_promises_is_known(string name) => Assert.True(DirectiveTable.TryGet(name, out _));

    [Fact]
    public void No_note_promises_a_later_version_or_calls_full_dhcp_not_in_effect()
    {
        foreach (var name in DirectiveTable.Names)
        {
            DirectiveTable.TryGet(name, out var spec);
            var note = spec.Note ?? "";
            Assert.DoesNotContain(" yet", note, StringComparison.Ordinal);
            Assert.DoesNotContain("full DHCP", note, StringComparison.Ordinal);
            Assert.DoesNotContain("lease scripts are not run", note, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("dhcp-host"), InlineData("dhcp-authoritative"), InlineData("dhcp-lease-max"), InlineData("dhcp-leasefile")]
    [InlineData("dhcp-lease-db"), InlineData("dhcp-sequential-ip"), InlineData("no-ping"), InlineData("bootp-dynamic")]
    [InlineData("dhcp-script"), InlineData("user"), InlineData("group")]
    [InlineData("dhcp-hostsfile"), InlineData("dhcp-optsfile"), InlineData("dhcp-hostsdir"), InlineData("dhcp-optsdir"), InlineData("read-ethers")]
    [InlineData("log-facility"), InlineData("pid-file"), InlineData("script-on-renewal"), InlineData("leasefile-ro"), InlineData("dhcp-scriptuser"), InlineData("script-arp")]
    public void Full_dhcp_directives_are_served(string name)
    {
        DirectiveTable.TryGet(name, out var spec);
        Assert.Equal(DirectiveEffect.Served, spec.Effect);
    }

    [Theory]
    [InlineData("dhcp-reply-delay"), InlineData("dhcp-circuitid"), InlineData("dhcp-remoteid"), InlineData("dhcp-subscrid")]
    [InlineData("dhcp-rapid-commit"), InlineData("dhcp-broadcast"), InlineData("dhcp-ignore-names"), InlineData("dhcp-generate-names")]
    [InlineData("dhcp-name-match"), InlineData("dhcp-client-update"), InlineData("dhcp-ignore-clid"), InlineData("dhcp-proxy")]
    [InlineData("shared-network"), InlineData("dhcp-relay"), InlineData("bridge-interface")]
    public void Dhcp_protocol_directives_are_served(string name)
    {
        DirectiveTable.TryGet(name, out var spec);
        Assert.Equal(DirectiveEffect.Served, spec.Effect);
        Assert.NotNull(spec.Apply);
    }

    [Theory]
    [InlineData("dhcp-luascript")]
    public void Directives_no_code_acts_on_say_so(string name)
    {
        DirectiveTable.TryGet(name, out var spec);
        Assert.Equal(DirectiveEffect.NotInEffect, spec.Effect);
        Assert.False(string.IsNullOrEmpty(spec.Note));
    }

    [Fact]
    public void Every_served_or_noted_directive_has_a_handler_or_a_note()
    {
        foreach (var name in DirectiveTable.Names)
        {
            DirectiveTable.TryGet(name, out var spec);
            Assert.True(spec.Apply is not null || spec.Note is not null || name is "conf-file" or "conf-dir", name);
        }
    }

    [Fact]
    public void Wiki_proxy_config_with_inline_comments_parses_like_the_example()
    {
        // The Ubuntu wiki UbuntuLTSP/ProxyDHCP text as quoted in spec §0, inline comments included.
        const string wiki = """
            port=0
            log-dhcp
            tftp-root=/var/lib/tftpboot          # (enable-tftp commented out: tftpd-hpa used)
            dhcp-boot=/ltsp/i386/pxelinux.0
            dhcp-option=17,/opt/ltsp/i386        # rootpath
            dhcp-option=vendor:PXEClient,6,2b    # "kill multicast"
            dhcp-no-override
            pxe-prompt="Press F8 for boot menu", 3
            pxe-service=X86PC, "Boot from network", /ltsp/i386/pxelinux
            pxe-service=X86PC, "Boot from local hard disk", 0
            #pxe-service=x86PC, "Install windows from RIS server", 1
            dhcp-range=192.168.1.0,proxy
            #dhcp-range=192.168.0.20,192.168.0.250,8h
            #dhcp-host=00:20:e0:3b:13:af,10.160.31.111,client111,infinite
            """;
        var fromWiki = ConfigAssert.Valid(wiki);
        var example = DnsmasqConfigReader.Parse(File.ReadAllText(ExampleConfigTests.ExamplePath("ltsp.conf")), "ltsp.conf").Config!;
        Assert.Equal(Shape(example), Shape(fromWiki));
    }

    private static string Shape(Model.ServerConfig config) => string.Join("|",
        string.Join(",", config.Ranges.Select(r => $"{r.Start}/{r.Mode}")),
        string.Join(",", config.BootFiles.Select(b => b.FileName)),
        string.Join(",", config.Options.Select(o => $"{o.VendorClass}:{o.Code}={Convert.ToHexString(o.Value.AsSpan())}")),
        string.Join(",", config.PxePrompts.Select(p => $"{p.Text}/{p.Timeout}")),
        string.Join(",", config.PxeServices.Select(s => $"{s.Architecture}/{s.MenuText}/{s.BootServerType}/{s.BaseName}")),
        config.Tftp.Root, config.Tftp.IsEnabled, config.NoOverride, config.LogDhcp);
}
