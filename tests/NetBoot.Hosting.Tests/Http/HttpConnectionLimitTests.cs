using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Http;

namespace NetBoot.Hosting.Tests.Http;

/// <summary>The connection budget through the real server on loopback (127.0.0.1, with 127.0.0.2 and .3 as other
/// client addresses): the per-address limit, a full table making room with an idle connection, and the budget line.</summary>
public sealed class HttpConnectionLimitTests : IAsyncLifetime
{
    private static readonly byte[] Request = "GET /small.bin HTTP/1.1\r\nHost: netboot\r\n\r\n"u8.ToArray();
    private readonly string _root = Directory.CreateTempSubdirectory("netboot-http-limits-").FullName;
    private readonly RecordingLogger<HttpBootService> _log = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private Task _running = Task.CompletedTask;
    private IPEndPoint _endpoint = new(IPAddress.Loopback, 0);

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "small.bin"), new byte[100]);
        var config = new ServerConfig { Http = new HttpConfig { IsEnabled = true, Root = _root, Port = 0, MaxConnections = 4, MaxConnectionsPerClient = 3 } };
        var service = new HttpBootService(new ConfigSnapshot(config), _log);
        _running = service.RunAsync([new IPEndPoint(IPAddress.Loopback, 0)], _stop.Token);
        _endpoint = Assert.Single(await service.Started.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    public async Task DisposeAsync()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        await _stop.CancelAsync();
        await _running.WaitAsync(TimeSpan.FromSeconds(20));
        _stop.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_budget_is_logged_with_its_limits_and_descriptor_reserve()
    {
        var line = await _log.WaitForAsync(l => l.StartsWith("HTTP connection budget:", StringComparison.Ordinal));

        Assert.StartsWith("HTTP connection budget: 4 connections, 3 per client address (http-max-connections; file descriptors: soft limit ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_over_its_limit_is_refused_at_once_while_another_address_is_served()
    {
        var connections = new List<Socket?>();
        for (var i = 0; i < 4; i++)
        {
            connections.Add(await TryConnectAsync("127.0.0.1"));
        }

        var answers = await Task.WhenAll(connections.Select(c => c is null ? Task.FromResult("refused") : AskAsync(c)));

        Assert.Equal(["200", "200", "200", "refused"], answers);
        Assert.Equal("200", await AskAsync(await ConnectAsync("127.0.0.2")));
        await _log.WaitForAsync(l => l.StartsWith("HTTP connection limit reached (connection refused: its address holds the most allowed per client, from 127.0.0.1)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_table_closes_the_oldest_idle_connection_of_the_busiest_address_for_a_new_client()
    {
        var idle = new List<Socket>();
        foreach (var source in new[] { "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.2" })
        {
            idle.Add(await ConnectAsync(source));
        }

        var newcomer = await ConnectAsync("127.0.0.3");

        Assert.Equal("200", await AskAsync(newcomer));
        // The first connection of 127.0.0.1 (three held, the most) was closed by the server.
        Assert.True(await IsClosedAsync(idle[0]));
        Assert.Equal("200", await AskAsync(idle[3]));
    }

    private async Task<Socket> ConnectAsync(string source) =>
        await TryConnectAsync(source) ?? throw new InvalidOperationException($"connection from {source} refused");

    /// <summary>Null when the server reset the connection before the connect completed (a refusal seen that early).</summary>
    private async Task<Socket?> TryConnectAsync(string source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(socket);
        socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
        try
        {
            await socket.ConnectAsync(_endpoint);
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return null;
        }
    }

    /// <summary>The server closed (end of stream) or reset the connection, without the client sending anything.</summary>
    private static async Task<bool> IsClosedAsync(Socket socket)
    {
        try
        {
            return await socket.ReceiveAsync(new byte[16]).WaitAsync(TimeSpan.FromSeconds(10)) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    /// <summary>"200" (or another status) when answered; "refused" when the server closed or reset the connection.</summary>
    private static async Task<string> AskAsync(Socket socket)
    {
        try
        {
            await socket.SendAsync(Request);
            var buffer = new byte[4096];
            var received = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10));
            return received == 0 ? "refused" : Encoding.ASCII.GetString(buffer, 0, received).Split(' ')[1];
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            return "refused";
        }
    }
}
