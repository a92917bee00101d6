using System.CommandLine;

namespace NetBoot.Cli.Commands;

/// <summary>The <c>netboot</c> command tree. <c>serve</c> and <c>check</c> accept every configuration directive
/// as <c>--directive[=value]</c>, as dnsmasq does.</summary>
public static class NetBootCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("NetBoot: proxyDHCP, PXE boot server and TFTP, configured in dnsmasq syntax.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(DecodeCommand.Create());
        root.Subcommands.Add(ProbeCommand.Create());
        root.Subcommands.Add(TftpGetCommand.Create());
        root.Subcommands.Add(LeasesCommand.Create());
        root.Subcommands.Add(DbCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }
}
