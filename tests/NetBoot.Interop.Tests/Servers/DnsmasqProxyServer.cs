using NetBoot.Interop.Tests.Lab;

namespace NetBoot.Interop.Tests.Servers;

/// <summary>The reference implementation: dnsmasq itself in proxy mode on the adapted configuration. It proves
/// the lab (firmware, router, TFTP root, assertions) before NetBoot is judged by it.</summary>
public sealed class DnsmasqProxyServer : IPxeServerUnderTest
{
    public string Name => "dnsmasq";

    public ServerLogExpectations Log => ServerLogExpectations.Dnsmasq;

    public LabProcess Start(NamespaceLab lab, LtspScenario scenario) =>
        lab.Start("server", lab.ServerNamespace, "dnsmasq",
        [
            "--no-daemon", $"--conf-file={scenario.ConfigPath}",
            // Process plumbing only, nothing about DHCP or PXE: log to stderr, keep files in the lab.
            "--log-facility=-", "--pid-file=", $"--dhcp-leasefile={Path.Combine(lab.WorkDirectory, "server.leases")}",
        ]);
}
