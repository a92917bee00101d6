using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests;

/// <summary>ServerConfig snapshots built by hand (the configuration reader is written in parallel).</summary>
internal static class TestConfigs
{
    public const string LtspFile = "/etc/dnsmasq.d/ltsp.conf";

    public static SourceLocation Line(int line, string file = LtspFile) => new(file, line);

    public static TagFilter Tags(params string[] conditions) =>
        new([.. conditions.Select(c => c.StartsWith('!') ? new TagCondition(c[1..], true) : new TagCondition(c, false))]);

    /// <summary>The Ubuntu wiki ltsp.conf of spec §1 (line numbers as in that file):
    /// <code>
    /// 1 port=0
    /// 2 log-dhcp
    /// 3 tftp-root=/var/lib/tftpboot
    /// 4 dhcp-boot=/ltsp/i386/pxelinux.0
    /// 5 dhcp-option=17,/opt/ltsp/i386
    /// 6 dhcp-option=vendor:PXEClient,6,2b
    /// 7 dhcp-no-override
    /// 8 pxe-prompt="Press F8 for boot menu", 3
    /// 9 pxe-service=X86PC, "Boot from network", /ltsp/i386/pxelinux
    /// 10 pxe-service=X86PC, "Boot from local hard disk", 0
    /// 11 #pxe-service=x86PC, "Install windows from RIS server", 1
    /// 12 dhcp-range=192.168.1.0,proxy
    /// </code></summary>
    public static ServerConfig Ltsp() => new()
    {
        SourceFiles = [LtspFile],
        LogDhcp = true,
        NoOverride = true,
        BootFiles = [new DhcpBootConfig { FileName = "/ltsp/i386/pxelinux.0", Source = Line(4) }],
        Options =
        [
            new DhcpOptionConfig { Code = 17, Value = [.. Encoding.ASCII.GetBytes("/opt/ltsp/i386")], Source = Line(5) },
            // "2b" is decimal 2 as one byte (spec §1.10), not hex 0x2b.
            new DhcpOptionConfig { Code = 6, Value = [2], VendorClass = "PXEClient", Source = Line(6) },
        ],
        PxePrompts = [new PxePromptConfig { Text = "Press F8 for boot menu", Timeout = 3, Source = Line(8) }],
        PxeServices =
        [
            new PxeServiceConfig { Architecture = 0, MenuText = "Boot from network", BootServerType = 0x8000, BaseName = "/ltsp/i386/pxelinux", Source = Line(9) },
            new PxeServiceConfig { Architecture = 0, MenuText = "Boot from local hard disk", BootServerType = 0, Source = Line(10) },
        ],
        Ranges = [ProxyRange("192.168.1.0", 12)],
    };

    public static DhcpRangeConfig ProxyRange(string network, int line, string? netmask = null, string? setTag = null, TagFilter? filter = null) => new()
    {
        Start = IPv4Address.Parse(network),
        End = IPv4Address.Parse(network),
        Mode = DhcpRangeMode.Proxy,
        Netmask = netmask is null ? null : IPv4Address.Parse(netmask),
        SetTag = setTag,
        Filter = filter ?? TagFilter.None,
        Source = Line(line),
    };

    public static PxeServiceConfig Service(ushort csa, string text, ushort type, string? baseName = null, string? server = null,
        TagFilter? filter = null, int line = 20) => new()
    {
        Architecture = csa,
        MenuText = text,
        BootServerType = type,
        BaseName = baseName,
        Server = server,
        Filter = filter ?? TagFilter.None,
        Source = Line(line),
    };

    public const string PxeLabFile = "dnsmasq-pxelab.conf";

    /// <summary>testdata/lab/bios-ipxe-proxy/dnsmasq-pxelab.conf (interface br0, 192.0.2.1/24):
    /// <code>
    /// 6  dhcp-range=192.0.2.0,proxy,255.255.255.0
    /// 9  dhcp-userclass=set:ipxe,iPXE
    /// 10 pxe-prompt="Press F8 for boot menu",3
    /// 11 pxe-service=tag:!ipxe,x86PC,"Boot BIOS client from network",undionly
    /// 12 pxe-service=tag:!ipxe,x86PC,"Boot from local disk"
    /// 13 pxe-service=tag:!ipxe,X86-64_EFI,"Boot UEFI x64 client from network",bootx64
    /// 14 pxe-service=tag:ipxe,x86PC,"iPXE script",boot.ipxe
    /// 15 pxe-service=tag:ipxe,X86-64_EFI,"iPXE script",boot.ipxe
    /// </code></summary>
    public static ServerConfig PxeLab() => new()
    {
        SourceFiles = [PxeLabFile],
        Ranges = [ProxyRange("192.0.2.0", 6, netmask: "255.255.255.0") with { Source = Line(6, PxeLabFile) }],
        UserClasses = [new DhcpClassMatchConfig { SetTag = "ipxe", Pattern = [.. "iPXE"u8], Source = Line(9, PxeLabFile) }],
        PxePrompts = [new PxePromptConfig { Text = "Press F8 for boot menu", Timeout = 3, Source = Line(10, PxeLabFile) }],
        PxeServices =
        [
            Service(0, "Boot BIOS client from network", 0x8000, "undionly", filter: Tags("!ipxe")) with { Source = Line(11, PxeLabFile) },
            Service(0, "Boot from local disk", 0, filter: Tags("!ipxe")) with { Source = Line(12, PxeLabFile) },
            Service(7, "Boot UEFI x64 client from network", 0x8001, "bootx64", filter: Tags("!ipxe")) with { Source = Line(13, PxeLabFile) },
            Service(0, "iPXE script", 0x8002, "boot.ipxe", filter: Tags("ipxe")) with { Source = Line(14, PxeLabFile) },
            Service(7, "iPXE script", 0x8003, "boot.ipxe", filter: Tags("ipxe")) with { Source = Line(15, PxeLabFile) },
        ],
    };

    public static ArrivalInterface Br0() => new("br0", 3, IPv4Address.Parse("192.0.2.1"), IPv4Address.Parse("255.255.255.0"));

    public static ImmutableArray<byte> Ascii(string text) => [.. Encoding.ASCII.GetBytes(text)];
}
