using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot tftp-get [--blksize N] [--windowsize N] [--tsize] [--timeout N] [--netascii] SERVER FILE [-o OUT]</c>:
/// downloads one file and prints its size, the time and the rate. Options outside their RFC's range are refused with
/// exit code 1 before anything is sent; netascii is converted back to local line ends as it arrives.</summary>
internal static class TftpGetCommand
{
    public static Command Create()
    {
        var server = new Argument<string>("SERVER") { Description = "server address, optionally with :port (default 69)" };
        var file = new Argument<string>("FILE") { Description = "file name to ask for" };
        var blockSize = InRange(new Option<int?>("--blksize") { Description = "ask for this block size (RFC 2348)", HelpName = "N" }, 8, 65464);
        var windowSize = InRange(new Option<int?>("--windowsize") { Description = "ask for this window, in blocks (RFC 7440)", HelpName = "N" }, 1, 65535);
        var transferSize = new Option<bool>("--tsize") { Description = "ask for the file size (RFC 2349)" };
        var timeout = InRange(new Option<int?>("--timeout")
        {
            Description = "retransmission timeout, also asked of the server (RFC 2349)",
            HelpName = "SECONDS",
        }, 1, 255);
        var netascii = new Option<bool>("--netascii") { Description = "netascii mode, for text: the server sends CR LF line ends, written here as LF (and CR NUL as CR)" };
        var output = new Option<string?>("--output", "-o") { Description = "where to write the file (default: FILE's last segment; - for stdout)", HelpName = "OUT" };
        var command = new Command("tftp-get", "Download a file by TFTP and print size, time and rate.");
        command.Arguments.Add(server);
        command.Arguments.Add(file);
        foreach (var option in new Option[] { blockSize, windowSize, transferSize, timeout, netascii, output })
        {
            command.Options.Add(option);
        }
        command.SetAction(result =>
        {
            if (!TryParseServer(result.GetValue(server)!, out var endPoint))
            {
                Console.Error.WriteLine("netboot: tftp-get: SERVER must be an IPv4/IPv6 address, optionally with :port");
                return 2;
            }
            var name = result.GetValue(file)!;
            var request = new TftpClientRequest(endPoint, name, result.GetValue(blockSize), result.GetValue(windowSize),
                result.GetValue(transferSize), result.GetValue(timeout), result.GetValue(netascii) ? TftpModes.Netascii : TftpModes.Octet);
            return Run(request, result.GetValue(output) ?? DefaultOutput(name));
        });
        return command;
    }

    /// <summary>Refuses a value outside the range the option's RFC allows, before anything is sent: "--blksize 4: must be
    /// between 8 and 65464". The range is also shown in <c>--help</c>.</summary>
    internal static Option<int?> InRange(Option<int?> option, int minimum, int maximum)
    {
        option.Description += string.Create(CultureInfo.InvariantCulture, $", {minimum}..{maximum}");
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && (value < minimum || value > maximum))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} {value}: must be between {minimum} and {maximum}"));
            }
        });
        return option;
    }

    private static int Run(TftpClientRequest request, string outputPath)
    {
        TftpClientResult outcome;
        try
        {
            using var stream = outputPath == "-" ? Console.OpenStandardOutput()
                : new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            outcome = TftpClient.Get(request, stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SocketException)
        {
            Console.Error.WriteLine($"netboot: tftp-get: {e.Message}");
            return 1;
        }
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"{outcome.Bytes} bytes in {outcome.Duration.TotalSeconds:0.000} s ({outcome.MegabytesPerSecond:0.00} MB/s), blksize {outcome.BlockSize}, windowsize {outcome.WindowSize}{(outcome.TransferSize is { } size ? $", tsize {size}" : "")}");
        if (!outcome.IsSuccess)
        {
            Console.Error.WriteLine($"netboot: tftp-get {request.FileName} from {request.Server}: {outcome.Error} after {figures}");
            return 1;
        }
        Console.Error.WriteLine($"received {request.FileName} from {request.Server}: {figures}");
        return 0;
    }

    private static string DefaultOutput(string name)
    {
        var last = name.Replace('\\', '/').Split('/').LastOrDefault(s => s.Length > 0);
        return string.IsNullOrEmpty(last) ? "tftp.out" : last;
    }

    internal static bool TryParseServer(string text, out IPEndPoint endPoint)
    {
        if (IPEndPoint.TryParse(text, out var parsed) && parsed is not null)
        {
            endPoint = parsed.Port == 0 ? new IPEndPoint(parsed.Address, 69) : parsed;
            return true;
        }
        endPoint = new IPEndPoint(IPAddress.None, 0);
        return false;
    }
}
