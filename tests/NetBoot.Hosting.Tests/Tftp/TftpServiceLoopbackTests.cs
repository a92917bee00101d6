using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Tests.Http;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

/// <summary>The real <see cref="TftpService"/> on 127.0.0.1 and ::1 (an ephemeral listening port instead of 69, so no root
/// is needed), read by the in-repo <see cref="TftpClient"/>, on a transfer's own port and under tftp-single-port: the one
/// transfer engine serves both, and both address families, through the one path policy.</summary>
public sealed class TftpServiceLoopbackTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("netboot-tftp-loopback-").FullName;
    private readonly CancellationTokenSource _stop = new();
    private readonly RecordingLogger<TftpService> _log = new();
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
        _stop.Dispose();
    }

    /// <summary>Starts the service on loopback and returns its listening end point on 127.0.0.1.</summary>
    private Task<IPEndPoint> StartAsync(bool singlePort) => StartAsync(singlePort, IPAddress.Loopback);

    /// <summary>Starts the service on loopback (with more directives) and returns its listening end point on
    /// <paramref name="address"/> (127.0.0.1 or ::1: both families listen on the one port).</summary>
    private async Task<IPEndPoint> StartAsync(bool singlePort, IPAddress address, string directives = "", bool recordLog = false, string? root = null)
    {
        var text = $"enable-tftp=lo\ntftp-root={root ?? _root}\n" + (singlePort ? "tftp-single-port\n" : "") + directives;
        var loaded = DnsmasqConfigReader.Parse(text, "loopback.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var loopback = HostInterface.ReadAll().Single(n => n.IsLoopback && n.IsUp);
        var logger = recordLog ? _log : (Microsoft.Extensions.Logging.ILogger<TftpService>)NullLogger<TftpService>.Instance;
        var service = new TftpService(new ConfigSnapshot(loaded.Config!), logger, TimeProvider.System) { ListenPort = 0 };
        _running = Task.Run(() => service.RunAsync([loopback], _stop.Token));
        await service.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        return new IPEndPoint(address, service.BoundPorts[loopback.Name]);
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

    /// <summary>EDK2's PXEv6 asks blksize 1228 (its IPv6 MTU budget) with windowsize 4: both granted, the file byte-identical,
    /// the transfer on a socket of the client's family (its own port, or 69's under tftp-single-port).</summary>
    [Theory]
    [InlineData(false, 1228, 4)]
    [InlineData(true, 1228, 4)]
    [InlineData(false, null, null)]
    [InlineData(true, 1468, 8)]
    public async Task A_file_is_read_whole_over_IPv6_loopback(bool singlePort, int? blockSize, int? windowSize)
    {
        var expected = WriteFile("bootx64.efi", 1_000_003);
        var server = await StartAsync(singlePort, IPAddress.IPv6Loopback);
        using var output = new MemoryStream();

        var result = await Task.Run(() => TftpClient.Get(
            new TftpClientRequest(server, "bootx64.efi", blockSize, windowSize, AskTransferSize: true), output));

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(expected, output.ToArray());
        Assert.Equal((blockSize ?? 512, windowSize ?? 1, (long?)expected.Length), (result.BlockSize, result.WindowSize, result.TransferSize));
    }

    /// <summary>The transfer answers from the address the request was sent to, on a socket of its family, and the log
    /// names the client by its IPv6 address.</summary>
    [Fact]
    public async Task An_IPv6_request_is_answered_from_an_IPv6_transfer_socket_and_logged_with_its_address()
    {
        WriteFile("boot.bin", 500);
        var server = await StartAsync(singlePort: false, IPAddress.IPv6Loopback, recordLog: true);
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var request = new byte[64];
        var length = TftpPacketEncoder.WriteRequest(request, TftpOpcode.ReadRequest, "boot.bin", TftpModes.Octet, []);
        await client.SendToAsync(request.AsMemory(0, length), server);
        var reply = new byte[1024];
        var received = await client.ReceiveFromAsync(reply, new IPEndPoint(IPAddress.IPv6Any, 0)).WaitAsync(TimeSpan.FromSeconds(30));
        var from = (IPEndPoint)received.RemoteEndPoint;
        Assert.Equal(IPAddress.IPv6Loopback, from.Address);
        Assert.NotEqual(server.Port, from.Port);
        Assert.True(TftpPacketDecoder.TryReadData(reply.AsSpan(0, received.ReceivedBytes), out var block, out var data));
        Assert.Equal((1, 500), (block, data.Length));
        var ack = new byte[4];
        TftpPacketEncoder.WriteAck(ack, 1);
        await client.SendToAsync(ack, from);

        var line = await _log.WaitForAsync(l => l.StartsWith("sent ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.StartsWith($"sent {_root}/boot.bin to ::1: 500 bytes", line, StringComparison.Ordinal);
        Assert.EndsWith(", blksize 512, windowsize 1, 0 retransmitted, 500 data bytes sent", line, StringComparison.Ordinal);
        var (id, fields) = _log.EntryOf(line);
        Assert.Equal(1201, id.Id);
        Assert.Equal((500L, 512, 1, 0L, 500L), (fields["Bytes"], fields["BlockSize"], fields["WindowSize"], fields["Retransmissions"], fields["DataBytesSent"]));
    }

    /// <summary>The usual size probe (EDK2: tsize asked, the OACK answered by ERROR 8): the line names the client's code
    /// and text as fields of their own.</summary>
    [Fact]
    public async Task A_size_probe_names_the_clients_error_code_and_text_as_fields()
    {
        WriteFile("probe.bin", 5000);
        var server = await StartAsync(singlePort: false, IPAddress.Loopback, recordLog: true);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var (reply, from) = await RequestAsync(client, server, "probe.bin", [new TftpOption("tsize", "0")]);
        Assert.True(TftpPacketDecoder.TryReadOpcode(reply, out var opcode));
        Assert.Equal(TftpOpcode.OptionAcknowledgment, opcode);

        await SendErrorAsync(client, from, TftpErrorCode.OptionNegotiationFailed, "User aborted the transfer");

        var line = await _log.WaitForAsync(l => l.StartsWith("size of ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal($"size of {_root}/probe.bin told to 127.0.0.1 (client ended after the options: client error 8: User aborted the transfer)", line);
        var (id, fields) = _log.EntryOf(line);
        Assert.Equal(1202, id.Id);
        Assert.Equal((8, "User aborted the transfer"), (fields["ErrorCode"], fields["ErrorMessage"]));
    }

    /// <summary>A client that ends the transfer with ERROR while DATA flows: the line names the end, the client's code and
    /// its text (escaped: it cannot break the line) and the transfer's figures, each a field.</summary>
    [Fact]
    public async Task A_client_error_during_the_data_names_the_end_the_code_and_the_escaped_text_as_fields()
    {
        WriteFile("big.bin", 10_000);
        var server = await StartAsync(singlePort: false, IPAddress.Loopback, recordLog: true);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var (reply, from) = await RequestAsync(client, server, "big.bin", []);
        Assert.True(TftpPacketDecoder.TryReadData(reply, out var block, out _));
        Assert.Equal(1, block);

        await SendErrorAsync(client, from, TftpErrorCode.NotDefined, "enough\n");

        var line = await _log.WaitForAsync(l => l.StartsWith("failed sending ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.StartsWith($"failed sending {_root}/big.bin to 127.0.0.1: ClientError: client error 0: enough\\x0a; 0 bytes in ", line, StringComparison.Ordinal);
        Assert.EndsWith(", blksize 512, windowsize 1, 0 retransmitted, 512 data bytes sent", line, StringComparison.Ordinal);
        var (id, fields) = _log.EntryOf(line);
        Assert.Equal(1203, id.Id);
        Assert.Equal((TftpTransferEnd.ClientError, 0, "enough\\x0a", 0L, 512L),
            (fields["End"], fields["ErrorCode"], fields["ErrorMessage"], fields["Bytes"], fields["DataBytesSent"]));
    }

    /// <summary>Sends a read request and returns the first answer and the transfer's address (its TID).</summary>
    private static async Task<(byte[] Reply, IPEndPoint From)> RequestAsync(Socket client, IPEndPoint server, string name, TftpOption[] options)
    {
        var request = new byte[TftpPacketEncoder.GetRequestLength(name, TftpModes.Octet, options)];
        var length = TftpPacketEncoder.WriteRequest(request, TftpOpcode.ReadRequest, name, TftpModes.Octet, options);
        await client.SendToAsync(request.AsMemory(0, length), server);
        var reply = new byte[1024];
        var received = await client.ReceiveFromAsync(reply, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(30));
        return (reply[..received.ReceivedBytes], (IPEndPoint)received.RemoteEndPoint);
    }

    private static async Task SendErrorAsync(Socket client, IPEndPoint to, TftpErrorCode code, string message)
    {
        var error = new byte[TftpPacketEncoder.GetErrorLength(message)];
        var length = TftpPacketEncoder.WriteError(error, code, message);
        await client.SendToAsync(error.AsMemory(0, length), to);
    }

    /// <summary>The path policy is one code for both families: every name refused over IPv4 is refused over IPv6, with
    /// the same answer (error 1, as for a missing file), and the file next to them is served over both.</summary>
    [Theory]
    [InlineData("../outside.bin")]
    [InlineData("sub/../../outside.bin")]
    [InlineData("escape.bin")]
    [InlineData("not-mine.bin")]
    [InlineData("absent.bin")]
    public async Task A_name_refused_over_IPv4_is_refused_over_IPv6_alike(string name)
    {
        // The TFTP root is a folder of the test's own folder, so that "../outside.bin" names a real file outside it.
        var root = Path.Combine(_root, "root");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        File.WriteAllBytes(Path.Combine(_root, "outside.bin"), [1, 2, 3]);
        File.CreateSymbolicLink(Path.Combine(root, "escape.bin"), Path.Combine(_root, "outside.bin"));
        File.WriteAllBytes(Path.Combine(root, "not-mine.bin"), new byte[100]);
        // tftp-secure: a file not owned by the server's user is refused (the tests run as root, who may give it away).
        Assert.Equal(0, Chown(Path.Combine(root, "not-mine.bin"), 65534, 65534));
        var served = new byte[5000];
        new Random(5).NextBytes(served);
        File.WriteAllBytes(Path.Combine(root, "boot.bin"), served);
        var server4 = await StartAsync(singlePort: false, IPAddress.Loopback, "tftp-secure\n", root: root);
        var server6 = new IPEndPoint(IPAddress.IPv6Loopback, server4.Port);

        var refused4 = await GetAsync(server4, name);
        var refused6 = await GetAsync(server6, name);
        var boot6 = await GetAsync(server6, "boot.bin");

        Assert.False(refused4.Result.IsSuccess);
        Assert.Contains("error 1", refused4.Result.Error, StringComparison.Ordinal);
        Assert.Equal(refused4.Result.Error, refused6.Result.Error);
        Assert.True(boot6.Result.IsSuccess, boot6.Result.Error);
        Assert.Equal(served, boot6.Bytes);
    }

    /// <summary>dnsmasq (tftp.c) names the tftp-unique-root=ip directory by the peer's address as inet_ntop writes it, for
    /// IPv6 too: ::1 reads from <c>root/::1/</c>.</summary>
    [Fact]
    public async Task Unique_root_by_address_uses_the_IPv6_address_as_the_directory_name()
    {
        WriteFile("boot.bin", 10);
        Directory.CreateDirectory(Path.Combine(_root, "::1"));
        var own = new byte[777];
        new Random(7).NextBytes(own);
        File.WriteAllBytes(Path.Combine(_root, "::1", "boot.bin"), own);
        var server = await StartAsync(singlePort: false, IPAddress.IPv6Loopback, "tftp-unique-root=ip\n");

        var got = await GetAsync(server, "boot.bin");

        Assert.True(got.Result.IsSuccess, got.Result.Error);
        Assert.Equal(own, got.Bytes);
    }

    /// <summary>The transfer answers from the address the request came to; a link-local one needs the arrival interface
    /// as its scope to be bound, a multicast one (no TFTP client sends one) is not answered.</summary>
    [Fact]
    public void An_IPv6_transfer_answers_from_the_request_destination_scoped_to_the_arrival_interface()
    {
        var nic = new HostInterface("eth7", 7, 1500, false, []);

        Assert.Equal(IPAddress.Parse("fd00::1"), TftpService.LocalIPv6Address(IPAddress.Parse("fd00::1"), nic));
        Assert.Equal(7, TftpService.LocalIPv6Address(IPAddress.Parse("fe80::1"), nic)!.ScopeId);
        Assert.Null(TftpService.LocalIPv6Address(IPAddress.Parse("ff02::1"), nic));
        Assert.Null(TftpService.LocalIPv6Address(null, nic));
        Assert.Equal("[::]", TftpService.DescribeIPv6(nic));
        Assert.Equal("[fd00::1] [fe80::1]", TftpService.DescribeIPv6(nic with
        {
            IPv6Addresses = [(Wire.Net.IPv6Address.Parse("fd00::1"), 64), (Wire.Net.IPv6Address.Parse("fe80::1"), 64)],
        }));
    }

    private static async Task<(TftpClientResult Result, byte[] Bytes)> GetAsync(IPEndPoint server, string name)
    {
        using var output = new MemoryStream();
        var result = await Task.Run(() => TftpClient.Get(new TftpClientRequest(server, name, TimeoutSeconds: 5), output));
        return (result, output.ToArray());
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern int Chown([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, int owner, int group);

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
