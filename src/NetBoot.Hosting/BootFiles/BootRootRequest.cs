using System.Collections.Immutable;
using NetBoot.Configuration.BootFiles;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.BootFiles;

/// <summary>What <c>netboot bootfiles DIR</c> was asked: the boot root, the firmware to serve (empty: the default
/// choice), the host's Debian architecture and the subnets to name in the printed <c>dhcp-range=…,proxy</c> lines.</summary>
public sealed record BootRootRequest
{
    /// <summary>The boot root (the future <c>tftp-root</c>), an absolute path.</summary>
    public required string Root { get; init; }

    /// <summary>The firmware named by <c>--arch</c>; empty means every firmware whose packages install natively on
    /// this host, plus any other whose files are already installed.</summary>
    public ImmutableArray<BootFirmware> Firmware { get; init; } = [];

    /// <summary><c>dpkg --print-architecture</c>: <c>amd64</c>, <c>arm64</c>…</summary>
    public required string HostArchitecture { get; init; }

    /// <summary>Network addresses of this host's subnets, for the proxy range lines; empty gives an example subnet.</summary>
    public ImmutableArray<IPv4Address> ProxyNetworks { get; init; } = [];

    /// <summary><c>--force</c>: rewrite menus that already exist (a site's edited menu is kept otherwise).</summary>
    public bool OverwriteMenus { get; init; }
}
