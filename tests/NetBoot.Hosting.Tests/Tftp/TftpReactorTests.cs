using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

/// <summary>The event loop against real loopback sockets: transfers complete byte for byte, many at once; timeouts
/// resend with backoff and give up; a transfer without progress is abandoned; a finished transfer's socket leaves the
/// epoll set; strangers get ERROR 5; the send path allocates nothing per packet.</summary>
public sealed class TftpReactorTests : IDisposable
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-reactor-").FullName;
    private readonly TftpBlockCache _cache = new(16L * 1024 * 1024);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(string name, int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A transfer's two ends on loopback: the server socket (handed to the reactor) and the client's.</summary>
    private sealed class Ends : IDisposable
    {
        public Ends(string path, TftpBlockCache cache, int blockSize, int windowSize, TftpTransferLimits? limits = null, TftpTransferMode mode = TftpTransferMode.Octet)
        {
            Client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            Client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            Server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Content = TftpContent.Open(path, mode, cache);
            // Without options in the request there is no OACK: DATA 1 comes first (lock-step, blksize 512 unless asked).
            var asked = new List<TftpOption>();
            if (blockSize != 512)
            {
                asked.Add(new TftpOption("blksize", blockSize.ToString(CultureInfo.InvariantCulture)));
            }
            if (windowSize != 1)
            {
                asked.Add(new TftpOption("windowsize", windowSize.ToString(CultureInfo.InvariantCulture)));
            }
            var options = TftpNegotiation.Negotiate(asked.ToArray(), mode, Content.TransferSize, new TftpConfig(), 9000);
            Transfer = new TftpTransfer(Content.Length, options, limits);
            Driven = new TftpReactorTransfer(Server, (IPEndPoint)Client.LocalEndPoint!, Content, Transfer, stranger => Strangers.Add(stranger));
        }

        public Socket Client { get; }
        public Socket Server { get; }
        public TftpContent Content { get; }
        public TftpTransfer Transfer { get; }
        public TftpReactorTransfer Driven { get; }
        public List<string> Strangers { get; } = [];
        public IPEndPoint ServerEndPoint => (IPEndPoint)Server.LocalEndPoint!;

        public void Dispose()
        {
            Client.Dispose();
            Server.Dispose();
            Content.Dispose();
        }
    }

    /// <summary>A minimal client: acknowledges the OACK, then every window (or the last block); on a silence of
    /// 200 ms it acknowledges again what it has. Returns the bytes received in order.</summary>
    private static byte[] Fetch(Ends ends, int blockSize, int windowSize)
    {
        var received = new MemoryStream();
        var buffer = new byte[65536];
        var ack = new byte[4];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        ends.Client.ReceiveTimeout = 200;
        var expected = (ushort)1;
        var inWindow = 0;
        var deadline = DateTime.UtcNow + s_testTimeout;
        while (DateTime.UtcNow < deadline)
        {
            int length;
            try
            {
                length = ends.Client.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                ends.Client.SendTo(ack.AsSpan(0, TftpPacketEncoder.WriteAck(ack, (ushort)(expected - 1))), ends.ServerEndPoint);
                continue;
            }
            if (TftpPacketDecoder.TryReadOpcode(buffer.AsSpan(0, length), out var opcode) && opcode == TftpOpcode.OptionAcknowledgment)
            {
                ends.Client.SendTo(ack.AsSpan(0, TftpPacketEncoder.WriteAck(ack, 0)), ends.ServerEndPoint);
                continue;
            }
            if (!TftpPacketDecoder.TryReadData(buffer.AsSpan(0, length), out var block, out var payload) || block != expected)
            {
                continue;
            }
            received.Write(payload);
            expected++;
            var last = payload.Length < blockSize;
            if (++inWindow == windowSize || last)
            {
                inWindow = 0;
                ends.Client.SendTo(ack.AsSpan(0, TftpPacketEncoder.WriteAck(ack, block)), ends.ServerEndPoint);
            }
            if (last)
            {
                return received.ToArray();
            }
        }
        throw new TimeoutException("the transfer did not end in time");
    }

    [Theory]
    [InlineData(512, 1, false)]
    [InlineData(1468, 16, false)]
    [InlineData(1468, 1, true)]
    public async Task A_transfer_delivers_the_file_byte_for_byte(int blockSize, int windowSize, bool polling)
    {
        // 200 000 bytes: blocks straddle the cache's 64 KiB segments (gathered from two of them).
        var path = WriteFile("file", 200_000);
        // Polling: the loop looks for the ACK (epoll_wait without timeout, yielding) for up to 1 ms before sleeping.
        using var reactor = new TftpReactor("test-reactor", TimeProvider.System, () => polling, System.Diagnostics.Stopwatch.Frequency / 1000);
        using var ends = new Ends(path, _cache, blockSize, windowSize);

        var completion = reactor.Add(ends.Driven);
        var bytes = await Task.Run(() => Fetch(ends, blockSize, windowSize));
        var end = await completion.WaitAsync(s_testTimeout);

        Assert.Equal(File.ReadAllBytes(path), bytes);
        Assert.Equal(TftpTransferEnd.Completed, end.End);
        Assert.Equal(200_000, ends.Driven.DataBytesSent);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(1468)]
    public async Task A_netascii_transfer_is_converted_as_it_is_sent_and_ends_where_the_conversion_ends(int blockSize)
    {
        var text = TftpNetasciiContentTests.Text(100_000, seed: 3);
        var path = Path.Combine(_directory, "text");
        File.WriteAllBytes(path, text);
        using var reactor = new TftpReactor("test-reactor", TimeProvider.System);
        using var ends = new Ends(path, _cache, blockSize, 1, mode: TftpTransferMode.Netascii);

        var completion = reactor.Add(ends.Driven);
        var bytes = await Task.Run(() => Fetch(ends, blockSize, 1));
        var end = await completion.WaitAsync(s_testTimeout);

        var expected = TftpNetasciiContentTests.Netascii(text);
        Assert.Equal(expected, bytes);
        Assert.Equal(TftpTransferEnd.Completed, end.End);
        Assert.Equal(expected.Length, ends.Transfer.ContentLength);
        Assert.Equal(expected.Length, end.Statistics!.Bytes);
    }

    [Fact]
    public async Task Many_concurrent_transfers_on_two_reactors_all_complete()
    {
        var path = WriteFile("kernel", 300_000, seed: 7);
        var expected = File.ReadAllBytes(path);
        using var pool = new TftpReactorPool(2, TimeProvider.System);
        var transfers = Enumerable.Range(0, 64).Select(_ => new Ends(path, _cache, 1468, 1)).ToList();
        try
        {
            var completions = transfers.Select(t => pool.Add(t.Driven)).ToList();
            Assert.All(pool.Reactors, r => Assert.True(r.Count > 0, "every reactor has transfers"));
            // One thread per client is the clients' business; the server side is two threads.
            var fetches = transfers.Select(t => Task.Factory.StartNew(() => Fetch(t, 1468, 1), TaskCreationOptions.LongRunning)).ToList();

            var results = await Task.WhenAll(fetches).WaitAsync(s_testTimeout);
            var ends = await Task.WhenAll(completions).WaitAsync(s_testTimeout);

            Assert.All(results, bytes => Assert.Equal(expected, bytes));
            Assert.All(ends, end => Assert.Equal(TftpTransferEnd.Completed, end.End));
            Assert.All(pool.Reactors, r => Assert.Equal(0, r.Count));
            Assert.True(pool.Reactors.Sum(r => r.Rounds.Events) >= 64 * (300_000 / 1468), "every ACK came through epoll");
        }
        finally
        {
            transfers.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task An_unanswered_block_is_resent_with_backoff_then_the_transfer_gives_up()
    {
        var path = WriteFile("file", 5000);
        // Timeout 50 ms, 2 retries: waits of 50 ms, 50 ms, then 1.05 s (dnsmasq's backoff adds 2^(n/2) - 1 s), then it gives up.
        var limits = new TftpTransferLimits { DefaultTimeout = TimeSpan.FromMilliseconds(50), MaximumRetries = 2 };
        using var reactor = new TftpReactor("test-reactor", TimeProvider.System);
        using var ends = new Ends(path, _cache, 512, 1, limits);

        var completion = reactor.Add(ends.Driven);
        var arrivals = new List<TimeSpan>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var buffer = new byte[1024];
        ends.Client.ReceiveTimeout = 3000;
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!completion.IsCompleted && arrivals.Count < 10)
        {
            try
            {
                var length = ends.Client.ReceiveFrom(buffer, ref from);
                Assert.True(TftpPacketDecoder.TryReadData(buffer.AsSpan(0, length), out var block, out _));
                Assert.Equal(1, block);
                arrivals.Add(clock.Elapsed);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                break;
            }
        }
        var end = await completion.WaitAsync(s_testTimeout);
        var ended = clock.Elapsed;

        Assert.Equal(TftpTransferEnd.RetriesExhausted, end.End);
        Assert.Equal(3, arrivals.Count); // the block and two retransmissions, no more
        // Lower bounds only (a busy machine can delay the reader, never the server's timers into the past).
        Assert.True(arrivals[2] >= TimeSpan.FromMilliseconds(90), $"two waits of 50 ms: {string.Join(", ", arrivals)}");
        Assert.True(ended >= TimeSpan.FromMilliseconds(1100), $"the third wait backs off to 1.05 s: {string.Join(", ", arrivals)}, ended {ended}");
        Assert.Equal(2, end.Statistics!.Retransmissions);
    }

    [Fact]
    public async Task A_transfer_without_progress_is_abandoned_at_the_stall_limit()
    {
        var path = WriteFile("file", 5000);
        var limits = new TftpTransferLimits
        {
            DefaultTimeout = TimeSpan.FromMilliseconds(100),
            MaximumRetries = 1000,
            StallTimeout = TimeSpan.FromMilliseconds(400),
        };
        using var reactor = new TftpReactor("test-reactor", TimeProvider.System);
        using var ends = new Ends(path, _cache, 512, 1, limits);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // The client answers only with duplicate ACK 0: no progress.
        var completion = reactor.Add(ends.Driven);
        var ack = new byte[4];
        while (!completion.IsCompleted && clock.Elapsed < s_testTimeout)
        {
            ends.Client.SendTo(ack.AsSpan(0, TftpPacketEncoder.WriteAck(ack, 0)), ends.ServerEndPoint);
            await Task.WhenAny(completion, Task.Delay(50));
        }
        var end = await completion.WaitAsync(s_testTimeout);

        Assert.Equal(TftpTransferEnd.Stalled, end.End);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_finished_transfer_socket_leaves_the_epoll_set()
    {
        var path = WriteFile("file", 3000);
        using var reactor = new TftpReactor("test-reactor", TimeProvider.System);
        using var ends = new Ends(path, _cache, 512, 1);
        var descriptor = (int)ends.Server.Handle;

        var completion = reactor.Add(ends.Driven);
        var buffer = new byte[1024];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        ends.Client.ReceiveTimeout = 5000;
        ends.Client.ReceiveFrom(buffer, ref from); // DATA 1: the transfer is registered
        Assert.Contains(descriptor, WatchedDescriptors(reactor));
        Assert.Equal(1, reactor.RegisteredSockets);

        // Finish it: the client ends it with an ERROR.
        var error = new byte[64];
        ends.Client.SendTo(error.AsSpan(0, TftpPacketEncoder.WriteError(error, TftpErrorCode.NotDefined, "enough")), ends.ServerEndPoint);
        var end = await completion.WaitAsync(s_testTimeout);

        Assert.Equal(TftpTransferEnd.ClientError, end.End);
        Assert.DoesNotContain(descriptor, WatchedDescriptors(reactor));
        Assert.Equal(0, reactor.RegisteredSockets);
        Assert.Equal(0, reactor.Count);
        Assert.Single(WatchedDescriptors(reactor)); // the reactor's own eventfd
    }

    /// <summary>The descriptors an epoll instance watches, from <c>/proc/self/fdinfo</c> ("tfd: N events: …").</summary>
    private static List<int> WatchedDescriptors(TftpReactor reactor) =>
        File.ReadAllLines($"/proc/self/fdinfo/{reactor.EpollDescriptor}")
            .Where(line => line.StartsWith("tfd:", StringComparison.Ordinal))
            .Select(line => int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
            .ToList();

    [Fact]
    public async Task A_datagram_from_a_wrong_port_gets_error_5_and_the_transfer_goes_on()
    {
        var path = WriteFile("file", 2000);
        using var reactor = new TftpReactor("test-reactor", TimeProvider.System);
        using var ends = new Ends(path, _cache, 512, 1);
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stranger.ReceiveTimeout = 5000;

        var completion = reactor.Add(ends.Driven);
        var ack = new byte[4];
        stranger.SendTo(ack.AsSpan(0, TftpPacketEncoder.WriteAck(ack, 1)), ends.ServerEndPoint);
        var buffer = new byte[1024];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var length = stranger.ReceiveFrom(buffer, ref from);
        var bytes = await Task.Run(() => Fetch(ends, 512, 1));
        var end = await completion.WaitAsync(s_testTimeout);

        Assert.True(TftpPacketDecoder.TryDecode(buffer.AsSpan(0, length), out var packet, out _));
        Assert.Equal(TftpErrorCode.UnknownTransferId, Assert.IsType<TftpErrorPacket>(packet).Code);
        Assert.Equal(File.ReadAllBytes(path), bytes);
        Assert.Equal(TftpTransferEnd.Completed, end.End);
        Assert.Equal([((IPEndPoint)stranger.LocalEndPoint!).ToString()], ends.Strangers);
    }

    [Theory]
    [InlineData(512, 1)]
    [InlineData(1468, 16)]
    public async Task The_send_path_allocates_nothing_per_packet(int blockSize, int windowSize)
    {
        var small = WriteFile("small", 100 * blockSize);
        var large = WriteFile("large", 8000 * blockSize);
        using var reactor = new TftpReactor("test-reactor", TimeProvider.System);

        async Task<(long Bytes, long Packets)> MeasureAsync(string path)
        {
            using var ends = new Ends(path, _cache, blockSize, windowSize);
            var before = reactor.AllocatedBytes;
            var completion = reactor.Add(ends.Driven);
            await Task.Run(() => Fetch(ends, blockSize, windowSize));
            Assert.Equal(TftpTransferEnd.Completed, (await completion.WaitAsync(s_testTimeout)).End);
            return (reactor.AllocatedBytes - before, ends.Driven.PacketsSent);
        }

        // Warm up: the slot table, the timer heap, the cache's buffers.
        await MeasureAsync(large);
        await MeasureAsync(small);
        var (smallBytes, smallPackets) = await MeasureAsync(small);
        var (largeBytes, largePackets) = await MeasureAsync(large);

        // The large transfer sends about 7900 more packets. Any allocation made per packet (an object is at least 24
        // bytes) would cost far more than the allowance; a one-off growth of a collection that keeps its capacity (the
        // timer heap doubling after a retransmission on a busy machine: a few KiB) stays under it.
        const long OneOffGrowthAllowance = 16 * 1024;
        Assert.True(largePackets - smallPackets > 7000, $"{largePackets - smallPackets} extra packets");
        Assert.True(largeBytes - smallBytes < OneOffGrowthAllowance,
            $"{smallBytes} B for {smallPackets} packets, {largeBytes} B for {largePackets} packets: {(double)(largeBytes - smallBytes) / (largePackets - smallPackets):0.00} B per extra packet");
    }

    [Fact]
    public async Task Stopping_cancels_running_transfers()
    {
        var path = WriteFile("file", 5000);
        using var reactor = new TftpReactor("test-reactor", TimeProvider.System);
        using var ends = new Ends(path, _cache, 512, 1);
        var completion = reactor.Add(ends.Driven);
        var buffer = new byte[1024];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        ends.Client.ReceiveTimeout = 5000;
        ends.Client.ReceiveFrom(buffer, ref from);

        reactor.Stop();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => completion.WaitAsync(s_testTimeout));
        Assert.Equal(0, reactor.Count);
    }

    [Fact]
    public void Reactors_are_opt_in_and_one_per_cpu_up_to_four_unless_set()
    {
        Assert.Equal(2, TftpReactorPool.DefaultCount(null, 2));
        Assert.Equal(1, TftpReactorPool.DefaultCount(null, 1));
        Assert.Equal(4, TftpReactorPool.DefaultCount(null, 32));
        Assert.Equal(1, TftpReactorPool.DefaultCount("1", 8));
        Assert.Equal(4, TftpReactorPool.DefaultCount("zero", 8));
        Assert.Equal(4, TftpReactorPool.DefaultCount("0", 8));
        Assert.True(TftpReactorPool.IsEnabled("1"));
        Assert.False(TftpReactorPool.IsEnabled(null));
        Assert.False(TftpReactorPool.IsEnabled("0"));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("-10", -10)]
    [InlineData("19", 19)]
    [InlineData("-21", null)]
    [InlineData("high", null)]
    public void The_loop_nice_value_comes_from_the_environment_setting(string? setting, int? expected) =>
        Assert.Equal(expected, TftpReactorPool.NiceValue(setting));
}
