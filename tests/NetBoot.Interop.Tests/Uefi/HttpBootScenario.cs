using NetBoot.Interop.Tests.Lab;

namespace NetBoot.Interop.Tests.Uefi;

/// <summary>
/// A boot root served by NetBoot over TFTP and HTTP (<c>http-port</c>, root = <c>tftp-root</c>): Debian's
/// <c>ipxe.efi</c> and <c>undionly.kpxe</c>, an iPXE script that fetches a payload and prints a unique marker,
/// and a configuration in the style of <c>examples/uefi-mixed.conf</c>: UEFI PXE gets ipxe.efi by TFTP, iPXE
/// (user class "iPXE") the script URL, UEFI HTTP Boot ("HTTPClient") ipxe.efi by URL.
/// </summary>
public sealed record HttpBootScenario(string Root, string ConfigPath, string Marker)
{
    public const int HttpPort = 8080;
    public const string Script = "boot.ipxe";
    public const string Payload = "payload.bin";
    public const int PayloadLength = 300_000;
    public const string EfiBootFile = "ipxe.efi";

    private const string IpxeDirectory = "/usr/lib/ipxe";

    public static string BaseUrl => $"http://{LabNetwork.ServerAddress}:{HttpPort}";

    public static HttpBootScenario Create(string workDirectory)
    {
        var root = Path.Combine(workDirectory, "root");
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(IpxeDirectory, EfiBootFile), Path.Combine(root, EfiBootFile));
        File.Copy(Path.Combine(IpxeDirectory, "undionly.kpxe"), Path.Combine(root, "undionly.kpxe"));
        File.WriteAllBytes(Path.Combine(root, Payload), [.. Enumerable.Range(0, PayloadLength).Select(i => (byte)(i * 31))]);
        var marker = $"NETBOOT-HTTP-{Guid.NewGuid():N}"[..26];
        File.WriteAllText(Path.Combine(root, Script), $"""
            #!ipxe
            imgfetch {BaseUrl}/{Payload}
            echo {marker}

            """);
        var config = Path.Combine(workDirectory, "netboot.conf");
        File.WriteAllText(config, $"""
            port=0
            log-dhcp
            dhcp-range={LabNetwork.Subnet},proxy
            enable-tftp
            tftp-root={root}
            http-port={HttpPort}
            dhcp-match=set:efi-x86_64,option:client-arch,7
            dhcp-match=set:efi-x86_64,option:client-arch,9
            dhcp-userclass=set:ipxe,iPXE
            dhcp-vendorclass=set:efi-http,HTTPClient
            pxe-service=tag:!ipxe,X86PC,"Network boot (BIOS)",undionly.kpxe
            pxe-service=tag:!ipxe,X86-64_EFI,"Network boot (UEFI)",{EfiBootFile}
            dhcp-boot=tag:ipxe,{BaseUrl}/{Script}
            dhcp-boot=tag:efi-http,{BaseUrl}/{EfiBootFile}

            """);
        return new HttpBootScenario(root, config, marker);
    }

    /// <summary>What <see cref="Servers.NetBootServer.Start"/> takes: only the configuration path is used.</summary>
    public LtspScenario AsServerScenario() => new(Root, ConfigPath, Marker);
}
