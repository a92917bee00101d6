using System.CommandLine;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot decode FILE…</c>: renders every DHCP/BOOTP/PXE/TFTP packet of pcap/pcapng captures.</summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Description = "pcap or pcapng captures", Arity = ArgumentArity.OneOrMore };
        var command = new Command("decode", "Render the DHCP, PXE and TFTP packets of pcap/pcapng captures as text.");
        command.Arguments.Add(files);
        command.SetAction(result =>
        {
            Console.Error.WriteLine("netboot: decode is not wired yet");
            return 1;
        });
        return command;
    }
}
