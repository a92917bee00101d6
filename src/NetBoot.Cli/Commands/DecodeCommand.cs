using System.CommandLine;
using NetBoot.Wire.Rendering;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot decode FILE…</c>: renders every DHCP/BOOTP/PXE/TFTP packet of pcap/pcapng captures.
/// Damaged packets are shown with their reason and the rest of the file is still decoded; a file that is not
/// a readable capture is reported on stderr and makes the exit code 1 (the other files are still decoded).</summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Description = "pcap or pcapng captures", Arity = ArgumentArity.OneOrMore };
        var command = new Command("decode", "Render the DHCP, PXE and TFTP packets of pcap/pcapng captures as text.");
        command.Arguments.Add(files);
        command.SetAction(result => Run(result.GetValue(files) ?? [], Console.Out, Console.Error));
        return command;
    }

    internal static int Run(IReadOnlyList<string> files, TextWriter output, TextWriter error)
    {
        var exitCode = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var rendering = CaptureRenderer.Render(files[i]);
            if (!rendering.IsReadable)
            {
                error.Write("netboot: " + rendering.Text.Replace("\n", " ", StringComparison.Ordinal).TrimEnd() + "\n");
                exitCode = 1;
                continue;
            }
            if (i > 0)
            {
                output.WriteLine();
            }
            output.Write(rendering.Text);
        }
        return exitCode;
    }
}
