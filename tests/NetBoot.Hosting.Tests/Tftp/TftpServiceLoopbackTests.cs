using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

/// <summary>The real <see cref="TftpService"/> on 127.0.0.1 (an ephemeral listening port instead of 69, so no root is
/// needed), read by the in-repo <see cref="TftpClient"/>, on a transfer's own port and under tftp-single-port: the one
/// transfer engine serves both.</summary>
public sealed class TftpServiceLoopbackTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("netboot-tftp-loopback-").FullName;
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(30));
        }
        _stop.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Starts the service on loopback and returns its listening end point.</summary>
    private async Task<IPEndPoint> StartAsync(bool singlePort)
    {
        var text = $"enable-tftp=lo\ntftp-root={_root}\n" + (singlePort ? "tftp-single-port\n" : "");
        var loaded = DnsmasqConfigReader.Parse(text, "loopback.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var loopback = HostInterface.ReadAll().Single(n => n.IsLoopback && n.IsUp);
        var service = new TftpService(new ConfigSnapshot(loaded.Config!), NullLogger<TftpService>.Instance, TimeProvider.System) { ListenPort = 0 };
        _running = Task.Run(() => service.RunAsync([loopback], _stop.Token));
        await service.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        return new IPEndPoint(IPAddress.Loopback, service.BoundPorts[loopback.Name]);
    }

    private byte[] WriteFile(string name, int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(_root, name), bytes);
        return bytes;
    }

    [Theory]
    [InlineData(false, null, null)]
    [InlineData(false, 1468, 4)]
    [InlineData(true, null, null)]
    [InlineData(true, 1468, 4)]
    public async Task A_file_is_read_whole_over_loopback(bool singlePort, int? blockSize, int? windowSize)
    {
        var expected = WriteFile("boot.bin", 300_000);
        var server = await StartAsync(singlePort);
        using var output = new MemoryStream();

        var result = await Task.Run(() => TftpClient.Get(
            new TftpClientRequest(server, "boot.bin", blockSize, windowSize, AskTransferSize: true), output));

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(expected, output.ToArray());
        Assert.Equal((blockSize ?? 512, windowSize ?? 1, (long?)expected.Length), (result.BlockSize, result.WindowSize, result.TransferSize));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_missing_file_is_answered_with_error_1(bool singlePort)
    {
        var server = await StartAsync(singlePort);
        using var output = new MemoryStream();

        var result = await Task.Run(() => TftpClient.Get(new TftpClientRequest(server, "absent.bin"), output));

        Assert.False(result.IsSuccess);
        Assert.Contains("error 1", result.Error, StringComparison.Ordinal);
    }

    /// <summary>A transfer blocked waiting for an ACK that never comes ends as soon as the service stops (its link is
    /// interrupted), instead of after its retries.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stopping_the_service_ends_a_transfer_waiting_for_its_ACK(bool singlePort)
    {
        WriteFile("wait.bin", 10_000);
        var server = await StartAsync(singlePort);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var request = new byte[64];
        var length = TftpPacketEncoder.WriteRequest(request, TftpOpcode.ReadRequest, "wait.bin", TftpModes.Octet, []);
        await client.SendToAsync(request.AsMemory(0, length), server);
        var reply = new byte[1024];
        var received = await client.ReceiveFromAsync(reply, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(TftpPacketDecoder.TryReadData(reply.AsSpan(0, received.ReceivedBytes), out var block, out _));
        Assert.Equal(1, block);
        Assert.Equal(singlePort, ((IPEndPoint)received.RemoteEndPoint).Port == server.Port);

        await _stop.CancelAsync();

        // Unanswered, the transfer would give up only after its 7 retransmissions (about 38 s, TftpTransfer.RetransmitDelay).
        await _running!.WaitAsync(TimeSpan.FromSeconds(15));
    }
}
