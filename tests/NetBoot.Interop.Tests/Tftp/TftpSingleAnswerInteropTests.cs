using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Tftp;

/// <summary>Issue 14 item 7 over the wire: a file outside the root reached through a symlinked directory or '..', a
/// missing file (in the root and behind the link), an unreadable one (mode 600 while netboot runs as root: only
/// world-readable files are served) and a directory: the client receives the same bytes in each case; the server's
/// log line for each names the real reason. With <c>tftp-follow-symlinks</c> the link is followed (the outside file is
/// served) and the missing and unreadable files behind it still get the single answer.</summary>
[Trait("Category", "Interop")]
public sealed class TftpSingleAnswerInteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LogTimeout = TimeSpan.FromSeconds(30);

    /// <summary>WORK/outside holds public.txt (644) and locked.txt (600); ROOT/outside-dir links to it.</summary>
    private static string MakeOutside(TftpLab lab)
    {
        var outside = Path.Combine(lab.WorkDirectory, "outside");
        Directory.CreateDirectory(outside);
        File.SetUnixFileMode(outside, (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(outside, "public.txt"), "outside the root\n");
        File.SetUnixFileMode(Path.Combine(outside, "public.txt"), (UnixFileMode)0b110_100_100);
        File.WriteAllText(Path.Combine(outside, "locked.txt"), "outside and locked\n");
        File.SetUnixFileMode(Path.Combine(outside, "locked.txt"), (UnixFileMode)0b110_000_000);
        Directory.CreateSymbolicLink(lab.PathInRoot("outside-dir"), outside);
        File.WriteAllText(lab.PathInRoot("private.txt"), "inside but not world-readable\n");
        File.SetUnixFileMode(lab.PathInRoot("private.txt"), (UnixFileMode)0b110_000_000);
        return outside;
    }

    [Fact]
    public async Task Outside_missing_and_unreadable_names_get_identical_bytes_and_distinct_log_lines()
    {
        await using var lab = await TftpLab.StartAsync();
        var outside = MakeOutside(lab);
        (string Name, string LogLine)[] cases =
        [
            ("outside-dir/public.txt", $"refused: outside the root: a symlink leads to {outside}/public.txt"),
            ("outside-dir/locked.txt", $"refused: outside the root: a symlink leads to {outside}/locked.txt"),
            ("outside-dir/nothing.txt", "file outside-dir/nothing.txt not found for"),
            ("../outside/public.txt", "refused: '..' in the name"),
            ("missing.bin", "file missing.bin not found for"),
            ("private.txt", $"refused: permission denied: {lab.PathInRoot("private.txt")} is not readable by the server"),
            ("dir", $"refused: not a regular file: {lab.PathInRoot("dir")}"),
        ];

        var replies = lab.Client.Run(() => cases.Select(c => AskRaw(c.Name)).ToList());

        for (var i = 0; i < cases.Length; i++)
        {
            output.WriteLine($"{cases[i].Name,-28} → {Describe(replies[i])}");
        }
        Assert.Equal([0, 5, 0, 1, .. "File not found"u8, 0], replies[0]);
        Assert.All(replies, reply => Assert.Equal(replies[0], reply));
        foreach (var (name, line) in cases)
        {
            await lab.WaitForLogAsync(new Regex(Regex.Escape(line.Contains("not found for", StringComparison.Ordinal) ? line : $"TFTP request for {name} from {TftpLab.ClientAddress} {line}")), LogTimeout);
        }
    }

    [Fact]
    public async Task With_follow_symlinks_the_outside_file_is_served_and_missing_or_unreadable_ones_get_the_single_answer()
    {
        await using var lab = await TftpLab.StartAsync("tftp-follow-symlinks");
        var outside = MakeOutside(lab);
        var fetched = lab.OutputPath("public.txt");

        var get = await lab.RunClientAsync("tftp", "-m", "binary", TftpLab.ServerAddress, "-c", "get", "outside-dir/public.txt", fetched);
        var replies = lab.Client.Run(() => new[] { "outside-dir/nothing.txt", "outside-dir/locked.txt", "missing.bin", "private.txt" }.Select(AskRaw).ToList());

        Assert.True(get.ExitCode == 0, get.Stderr);
        Assert.Equal("outside the root\n", File.ReadAllText(fetched));
        Assert.Equal([0, 5, 0, 1, .. "File not found"u8, 0], replies[0]);
        Assert.All(replies, reply => Assert.Equal(replies[0], reply));
        await lab.WaitForLogAsync(new Regex(Regex.Escape($"refused: permission denied: {outside}/locked.txt is not readable by the server")), LogTimeout);
        await lab.WaitForLogAsync(new Regex(Regex.Escape("file outside-dir/nothing.txt not found for")), LogTimeout);
    }

    /// <summary>One RRQ (octet) from a fresh port; the first reply's bytes (empty when none came in 5 s).</summary>
    private static byte[] AskRaw(string name)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(TftpLab.ClientAddress), 0));
        socket.ReceiveTimeout = 5000;
        var request = Encoding.UTF8.GetBytes($"\0\u0001{name}\0octet\0");
        socket.SendTo(request, new IPEndPoint(IPAddress.Parse(TftpLab.ServerAddress), 69));
        var buffer = new byte[2048];
        try
        {
            return buffer[..socket.Receive(buffer)];
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return [];
        }
    }

    private static string Describe(byte[] reply) =>
        reply.Length < 4 ? "no reply"
        : BinaryPrimitives.ReadUInt16BigEndian(reply) == 5 ? $"ERROR {BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(2))} \"{Encoding.ASCII.GetString(reply, 4, reply.Length - 5)}\""
        : $"opcode {BinaryPrimitives.ReadUInt16BigEndian(reply)}";
}
