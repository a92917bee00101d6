using System.CommandLine;
using System.Security;
using NetBoot.Wire.Rendering;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot decode FILE…</c>: renders every DHCP/BOOTP/PXE/TFTP packet, DHCPv6
/// message and ICMPv6 Router Solicitation/Advertisement of pcap/pcapng captures.
/// Damaged packets are shown with their reason and the rest of the file is still decoded; a file that is not
/// a readable capture is reported on stderr and makes the exit code 1 (the other files are still decoded).
/// <c>-</c> reads a capture from standard input as it arrives, printing each packet at once:
/// <c>tcpdump -i eth0 -U -w - port 67 or port 68 or port 4011 or port 69 | netboot decode -</c>.</summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Description = "pcap or pcapng captures; - reads standard input as it arrives (tcpdump -U -w - | netboot decode -)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("decode", "Render the DHCP, DHCPv6, PXE, TFTP and IPv6 router advertisement packets of pcap/pcapng captures as text.");
        command.Arguments.Add(files);
        command.SetAction(result => Run(result.GetValue(files) ?? [], Console.Out, Console.Error, Console.OpenStandardInput));
        return command;
    }

    internal static int Run(IReadOnlyList<string> files, TextWriter output, TextWriter error) =>
        Run(files, output, error, Console.OpenStandardInput);

    internal static int Run(IReadOnlyList<string> files, TextWriter output, TextWriter error, Func<Stream> standardInput)
    {
        var exitCode = 0;
        for (var i = 0; i < files.Count; i++)
        {
            if (files[i] == "-")
            {
                if (i > 0)
                {
                    output.WriteLine();
                }
                using var input = standardInput();
                var streamed = CaptureRenderer.Render(input, "- (standard input)", output);
                if (!streamed.IsReadable)
                {
                    error.Write("netboot: " + streamed.Text.Replace("\n", " ", StringComparison.Ordinal).TrimEnd() + "\n");
                    exitCode = 1;
                }
                continue;
            }
            var rendering = RenderFile(files[i]);
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

    /// <summary>Reads and renders one file (the reading is here: Wire does no I/O). Never throws for a missing,
    /// unreadable or foreign file: the result is then not readable and its text says why.</summary>
    /// <param name="path">The file; shown in the heading as given.</param>
    internal static CaptureRendering RenderFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException or ArgumentException or NotSupportedException)
        {
            return CaptureRenderer.Unreadable(path, "cannot read the file: " + e.Message);
        }
        return CaptureRenderer.Render(bytes, path);
    }
}
