using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetBoot.Interop.Tests.Tftp;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>A flood of read requests beyond <c>tftp-max</c> while transfers run, and packets with spoofed transfer IDs
/// (another port, another address) sent into those transfers: the excess is refused with an ERROR packet, the
/// strangers get ERROR 5, and the transfers in progress complete byte-identical.</summary>
[Trait("Category", "Interop")]
public sealed class TftpFloodTests(ITestOutputHelper output)
{
    private const int MaxTransfers = 4;
    private const int Running = 3;
    private const int FloodRequests = 400;
    private static readonly IPEndPoint Server = new(IPAddress.Parse(TftpLab.ServerAddress), 69);

    [Fact]
    public async Task Excess_requests_are_refused_spoofed_packets_get_error_5_and_transfers_complete()
    {
        await using var lab = await TftpLab.StartAsync($"tftp-max={MaxTransfers}");
        lab.Client.Exec("ip", "addr", "add", "10.78.0.3/24", "dev", TftpLab.ClientInterface);
        var pid = lab.ServerProcess!.Id;
        var expected = await File.ReadAllBytesAsync(lab.PathInRoot(TftpLab.SmallFile));

        var transfers = Enumerable.Range(0, Running).Select(_ => new SlowReader(lab.Client.Run(() => Bound(TftpLab.ClientAddress)))).ToArray();
        var reading = transfers.Select(t => t.ReadAsync(TftpLab.SmallFile)).ToArray();
        await Task.WhenAll(transfers.Select(t => t.Started.Task)).WaitAsync(TimeSpan.FromSeconds(10));

        // Strangers: to each transfer's port from another port, and from another address.
        using var otherPort = lab.Client.Run(() => Bound(TftpLab.ClientAddress));
        using var otherAddress = lab.Client.Run(() => Bound("10.78.0.3"));
        var strangerErrors = 0;
        foreach (var transfer in transfers)
        {
            foreach (var stranger in new[] { otherPort, otherAddress })
            {
                await stranger.SendToAsync(new byte[] { 0, 4, 0, 1 }, transfer.ServerTid!); // ACK block 1
                await stranger.SendToAsync(new byte[] { 0, 3, 0, 7, 1, 2, 3 }, transfer.ServerTid!); // DATA
                for (var i = 0; i < 2; i++)
                {
                    if (await ReceiveAsync(stranger, TimeSpan.FromSeconds(2)) is [0, 5, 0, 5, ..])
                    {
                        strangerErrors++;
                    }
                }
            }
        }

        // The flood: read requests from many ports, at a bounded rate, while the transfers run.
        var flooders = Enumerable.Range(0, 50).Select(_ => lab.Client.Run(() => Bound(TftpLab.ClientAddress))).ToArray();
        var rrq = Encoding.ASCII.GetBytes($"\0\u0001{TftpLab.SmallFile}\0octet\0");
        var answers = flooders.Select(s => CollectAsync(s, TimeSpan.FromSeconds(6))).ToArray();
        for (var n = 0; n < FloodRequests; n++)
        {
            await flooders[n % flooders.Length].SendToAsync(rrq, Server);
            if (n % 20 == 19)
            {
                await Task.Delay(10);
            }
        }
        var replies = (await Task.WhenAll(answers)).SelectMany(r => r).ToList();
        foreach (var s in flooders)
        {
            s.Dispose();
        }
        var refused = replies.Count(r => r is [0, 5, ..]);
        var served = replies.Count(r => r is [0, 3, 0, 1, ..]);
        var results = await Task.WhenAll(reading).WaitAsync(TimeSpan.FromSeconds(60));
        var memory = HostileLab.Memory(pid);
        var refusal = replies.FirstOrDefault(r => r is [0, 5, ..]);
        output.WriteLine($"flood: {FloodRequests} RRQs; {refused} ERROR replies (\"{(refusal is null ? "" : Encoding.ASCII.GetString(refusal, 4, refusal.Length - 5))}\"), {served} first DATA blocks; stranger ERROR 5: {strangerErrors} of {transfers.Length * 4}");
        output.WriteLine($"server RSS {memory.Rss:0.0} MiB, peak (VmHWM) {memory.Peak:0.0} MiB");

        lab.ServerProcess.EnsureRunning();
        Assert.All(results, r => Assert.Equal(TftpLab.Sha256(expected), TftpLab.Sha256(r)));
        Assert.Equal(transfers.Length * 4, strangerErrors);
        // At most the free slot(s) served (one, plus any a finishing transfer freed); every other request refused.
        Assert.True(served <= MaxTransfers, $"{served} flood requests served with tftp-max={MaxTransfers}");
        Assert.True(refused >= FloodRequests - MaxTransfers - Running, $"only {refused} of {FloodRequests} refused ({served} served)");
        Assert.True(memory.Peak < 250, $"peak RSS {memory.Peak:0.0} MiB");
        // The refusals are summarised, not logged one line per request.
        var refusalLines = lab.ServerProcess.Log.ReadAll().Split('\n').Count(l => l.Contains("transfers running (tftp-max)", StringComparison.Ordinal));
        output.WriteLine($"{refusalLines} refusal log lines for {refused} refusals");
        Assert.InRange(refusalLines, 1, 3);
    }

    private static Socket Bound(string address)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return s;
    }

    private static async Task<byte[]?> ReceiveAsync(Socket socket, TimeSpan wait)
    {
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            return buffer[..received.ReceivedBytes];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<List<byte[]>> CollectAsync(Socket socket, TimeSpan window)
    {
        var all = new List<byte[]>();
        var end = DateTime.UtcNow + window;
        while (DateTime.UtcNow < end && await ReceiveAsync(socket, end - DateTime.UtcNow) is { } packet)
        {
            all.Add(packet);
        }
        return all;
    }

    /// <summary>A lock-step RFC 1350 reader that waits about a millisecond per block, so its transfer is still running
    /// while the flood and the strangers arrive.</summary>
    private sealed class SlowReader(Socket socket) : IDisposable
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IPEndPoint? ServerTid { get; private set; }

        public async Task<byte[]> ReadAsync(string file)
        {
            using var _ = this;
            var content = new MemoryStream();
            var buffer = new byte[600];
            var last = Encoding.ASCII.GetBytes($"\0\u0001{file}\0octet\0");
            await socket.SendToAsync(last, Server);
            ushort expected = 1;
            for (var silent = 0; silent < 5;)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                SocketReceiveFromResult received;
                try
                {
                    received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    silent++;
                    await socket.SendToAsync(last, (EndPoint?)ServerTid ?? Server);
                    continue;
                }
                var from = (IPEndPoint)received.RemoteEndPoint;
                ServerTid ??= from;
                var packet = buffer.AsSpan(0, received.ReceivedBytes);
                if (!from.Equals(ServerTid) || packet.Length < 4 || BinaryPrimitives.ReadUInt16BigEndian(packet) != 3)
                {
                    throw new InvalidOperationException($"unexpected packet from {from}: opcode {(packet.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(packet) : -1)} {Encoding.ASCII.GetString(packet[Math.Min(4, packet.Length)..])}");
                }
                var block = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
                if (block == expected)
                {
                    content.Write(packet[4..]);
                    last = [0, 4, (byte)(block >> 8), (byte)block];
                    expected++;
                    if (block == 8)
                    {
                        Started.TrySetResult();
                    }
                    if (packet.Length - 4 < 512)
                    {
                        await socket.SendToAsync(last, ServerTid);
                        return content.ToArray();
                    }
                    await Task.Delay(1);
                }
                await socket.SendToAsync(last, ServerTid);
            }
            throw new TimeoutException($"transfer of {file} stalled at block {expected}");
        }

        public void Dispose() => socket.Dispose();
    }
}
