using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Tftp;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>Issue 14 item 2: netascii is converted while it is sent. 50 curl clients fetch a 48 MiB text file in
/// netascii at once (blksize 65464 over a veth pair at MTU 65535): each gets exactly RFC 1350's conversion, the
/// server's peak resident memory stays bounded (it was 4.2 GB when every transfer converted the whole file in memory),
/// and an octet transfer started while all 50 run is answered and completes. A netascii request for a sparse 3 GiB file
/// is answered by DATA 1 at once (it got no answer and no log line before).</summary>
[Trait("Category", "Interop")]
public sealed class TftpNetasciiStormTests(ITestOutputHelper output)
{
    private const int Clients = 50;
    private const int TextLength = 48 * 1024 * 1024;
    private const string TextFile = "big.txt";
    private const string HugeFile = "huge.img";
    private static readonly TimeSpan StormTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Fifty_netascii_transfers_of_a_large_file_stay_in_bounded_memory_and_an_octet_transfer_is_served_meanwhile()
    {
        await using var lab = await TftpLab.StartAsync(65535, "metrics-listen=9167");
        var pid = lab.ServerProcess!.Id;
        var reference = WriteTextAndReference(lab);
        var (baseline, _) = HostileLab.Memory(pid);

        var clients = new List<Process>();
        var errors = Enumerable.Range(0, Clients).Select(i => lab.OutputPath($"storm-{i}.err")).ToArray();
        var storm = Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                // curl keeps netascii's wire bytes (no conversion back): cmp compares them with the reference conversion.
                clients.Add(lab.Client.Start(lab.OutputPath($"storm-{i}.out"), errors[i],
                    "sh", "-c", "curl -sS --tftp-blksize 65464 \"$0\" -o - | cmp - \"$1\"",
                    $"tftp://{TftpLab.ServerAddress}/{TextFile};mode=netascii", reference));
            }
            var running = await WaitForActiveTransfersAsync(lab, Clients, TimeSpan.FromSeconds(60));
            output.WriteLine($"{running} transfers running after {storm.Elapsed.TotalSeconds:0.0} s");

            // The octet request in the middle of the storm.
            var octetOut = lab.OutputPath(TftpLab.SmallFile);
            var octetClock = Stopwatch.StartNew();
            var octet = await lab.RunClientAsync("curl", "-sS", "--tftp-blksize", "1468", "-w", "%{time_total}",
                $"tftp://{TftpLab.ServerAddress}/{TftpLab.SmallFile}", "-o", octetOut);
            octetClock.Stop();
            var stillRunning = ActiveTransfers(lab);
            output.WriteLine($"octet {TftpLab.SmallFile} (2 MiB, blksize 1468) during the storm: done in {octet.Stdout.Trim()} s (curl), " +
                $"{octetClock.Elapsed.TotalSeconds:0.00} s wall; {stillRunning} netascii transfers still running then");

            foreach (var client in clients)
            {
                await client.WaitForExitAsync().WaitAsync(StormTimeout);
            }
            storm.Stop();
            var memory = HostileLab.Memory(pid);
            var failed = clients.Select((c, i) => (c.ExitCode, Error: File.ReadAllText(errors[i]))).Where(r => r.ExitCode != 0).ToList();
            output.WriteLine($"{Clients} netascii transfers of {TextLength >> 20} MiB ({new FileInfo(reference).Length} bytes on the wire each) in {storm.Elapsed.TotalSeconds:0.0} s; " +
                $"{Clients - failed.Count} byte-identical to the reference conversion");
            output.WriteLine($"server RSS {baseline:0.0} MiB before, {memory.Rss:0.0} MiB after, peak (VmHWM) {memory.Peak:0.0} MiB");

            lab.ServerProcess.EnsureRunning();
            Assert.True(octet.ExitCode == 0, octet.Stderr);
            Assert.Equal(TftpLab.Sha256File(lab.PathInRoot(TftpLab.SmallFile)), TftpLab.Sha256File(octetOut));
            Assert.True(stillRunning > 0, "the octet transfer must run while netascii transfers do");
            Assert.True(failed.Count == 0, $"{failed.Count} clients failed: {string.Join(" | ", failed.Take(3).Select(f => $"exit {f.ExitCode}: {f.Error}"))}");
            Assert.True(memory.Peak < 200, $"peak RSS {memory.Peak:0.0} MiB for {Clients} netascii transfers of {TextLength >> 20} MiB");
            // The server logs a transfer when the client's last ACK arrives, which may be after the client has exited:
            // wait for each line rather than count what is written at this instant.
            var sentLine = new Regex($@"sent \S+/{TextFile} to {Regex.Escape(TftpLab.ClientAddress)}");
            var from = 0;
            for (var sent = 0; sent < Clients; sent++)
            {
                var line = await lab.ServerProcess.Log.WaitForAsync(sentLine, TimeSpan.FromSeconds(30), from);
                from = line.Index + line.Length;
            }
            Assert.False(lab.ServerProcess.Log.Find(sentLine, from).Success, "one transfer logged twice");
        }
        finally
        {
            foreach (var client in clients.Where(c => !c.HasExited))
            {
                client.Kill(entireProcessTree: true);
            }
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Netascii_request_for_a_sparse_file_over_2_GiB_is_answered_with_data()
    {
        await using var lab = await TftpLab.StartAsync();
        using (var huge = new FileStream(lab.PathInRoot(HugeFile), FileMode.CreateNew))
        {
            huge.SetLength(3L << 30);
        }
        File.SetUnixFileMode(lab.PathInRoot(HugeFile), (UnixFileMode)0b110_100_100);

        var (first, second) = lab.Client.Run(() =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(TftpLab.ClientAddress), 0));
            socket.ReceiveTimeout = 10_000;
            socket.SendTo(Encoding.ASCII.GetBytes($"\0\u0001{HugeFile}\0netascii\0"), new IPEndPoint(IPAddress.Parse(TftpLab.ServerAddress), 69));
            var buffer = new byte[2048];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            var one = buffer[..socket.ReceiveFrom(buffer, ref from)];
            // ACK 1: DATA 2 follows; then ERROR ends the transfer (nobody wants 3 GiB of NUL here).
            socket.SendTo(new byte[] { 0, 4, 0, 1 }, from);
            var two = buffer[..socket.ReceiveFrom(buffer, ref from)];
            socket.SendTo(Encoding.ASCII.GetBytes("\0\u0005\0\0enough\0"), from);
            return (one, two);
        });

        Assert.Equal([0, 3, 0, 1, .. new byte[512]], first);
        Assert.Equal([0, 3, 0, 2, .. new byte[512]], second);
        await lab.WaitForLogAsync(new Regex($@"failed sending \S+/{HugeFile} to {Regex.Escape(TftpLab.ClientAddress)}: ClientError: client error 0: enough"), TimeSpan.FromSeconds(30));
    }

    /// <summary>48 MiB of text lines (LF ends, some CR inside) in the root; its netascii conversion beside the root.</summary>
    private static string WriteTextAndReference(TftpLab lab)
    {
        var random = new Random(764);
        var text = new byte[TextLength];
        var lineLeft = random.Next(10, 120);
        for (var i = 0; i < text.Length; i++)
        {
            if (--lineLeft == 0)
            {
                text[i] = (byte)'\n';
                lineLeft = random.Next(10, 120);
                continue;
            }
            text[i] = random.Next(200) == 0 ? (byte)'\r' : (byte)random.Next(32, 127);
        }
        File.WriteAllBytes(lab.PathInRoot(TextFile), text);
        File.SetUnixFileMode(lab.PathInRoot(TextFile), (UnixFileMode)0b110_100_100);
        var converted = new MemoryStream(TextLength + TextLength / 32);
        foreach (var b in text)
        {
            switch (b)
            {
                case (byte)'\n':
                    converted.Write("\r\n"u8);
                    break;
                case (byte)'\r':
                    converted.Write("\r\0"u8);
                    break;
                default:
                    converted.WriteByte(b);
                    break;
            }
        }
        var path = Path.Combine(lab.WorkDirectory, "big.netascii");
        File.WriteAllBytes(path, converted.ToArray());
        return path;
    }

    /// <summary><c>netboot_tftp_active</c> from the server's own metrics endpoint (in its namespace).</summary>
    private static long ActiveTransfers(TftpLab lab)
    {
        var metrics = lab.Server.Exec("curl", "-sS", "--max-time", "5", "http://127.0.0.1:9167/metrics");
        var match = Regex.Match(metrics, @"^netboot_tftp_active(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Polls the metrics until <paramref name="count"/> transfers run (bounded).</summary>
    private static async Task<long> WaitForActiveTransfersAsync(TftpLab lab, int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        long active;
        while ((active = ActiveTransfers(lab)) < count)
        {
            lab.ServerProcess!.EnsureRunning();
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"only {active} of {count} transfers running after {timeout.TotalSeconds:0} s\n{lab.ServerProcess.Log.Tail()}");
            }
            await Task.Delay(100);
        }
        return active;
    }
}
