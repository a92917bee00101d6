using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Http;
using NetBoot.Hosting.Net;

namespace NetBoot.Hosting.Tests.Http;

/// <summary>The HTTP boot server as <c>serve</c> runs it (a socket per interface and family, bound to the device) on the
/// loopback interface: the same files, the same refusals and the same answer bytes over ::1 as over 127.0.0.1.</summary>
public sealed partial class HttpBootServiceIPv6Tests : IAsyncLifetime
{
    private readonly string _top = Directory.CreateTempSubdirectory("netboot-http6-").FullName;
    private readonly RecordingLogger<HttpBootService> _log = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _payload = [.. Enumerable.Range(0, 300_000).Select(i => (byte)(i * 13 + (i >> 9)))];
    private Task _running = Task.CompletedTask;
    private int _port;

    private string Root => Path.Combine(_top, "root");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(Root, "efi"));
        await File.WriteAllBytesAsync(Path.Combine(Root, "efi", "bootx64.efi"), _payload);
        await File.WriteAllTextAsync(Path.Combine(_top, "secret"), "do not serve");
        File.CreateSymbolicLink(Path.Combine(Root, "escape"), Path.Combine(_top, "secret"));
        var loopback = HostInterface.ReadAll().Single(n => n.IsLoopback && n.IsUp);
        var config = new ServerConfig
        {
            Interfaces = new InterfaceConfig { Include = [loopback.Name] },
            Http = new HttpConfig { IsEnabled = true, Root = Root, Port = 0 },
        };
        var service = new HttpBootService(new ConfigSnapshot(config), _log);
        _running = service.RunAsync([loopback], _stop.Token);
        var bound = await service.Started.WaitAsync(TimeSpan.FromSeconds(20));
        // Both families on the one port, and the IPv6 address named where the server says where it listens.
        _port = Assert.Single(bound, e => e.Address.Equals(IPAddress.Loopback)).Port;
        Assert.Contains(new IPEndPoint(IPAddress.IPv6Loopback, _port), bound);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.WaitAsync(TimeSpan.FromSeconds(20));
        _stop.Dispose();
        Directory.Delete(_top, recursive: true);
    }

    [Fact]
    public async Task A_boot_file_is_fetched_whole_over_IPv6_and_logged_with_the_client_address()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://[::1]:{_port}/"), Timeout = TimeSpan.FromSeconds(20) };

        var bytes = await client.GetByteArrayAsync(new Uri("efi/bootx64.efi", UriKind.Relative));

        Assert.Equal(_payload, bytes);
        var line = await _log.WaitForAsync(l => l.StartsWith("HTTP GET /efi/bootx64.efi", StringComparison.Ordinal));
        Assert.Equal($"HTTP GET /efi/bootx64.efi from ::1: 200 sent {Root}/efi/bootx64.efi, {_payload.Length} bytes", line);
    }

    /// <summary>One handler for both families: a refused target gets the same bytes (but the date) over either.</summary>
    [Theory]
    [InlineData("/escape")]
    [InlineData("/../secret")]
    [InlineData("/efi/%2e%2e%2f%2e%2e%2fsecret")]
    [InlineData("/missing.efi")]
    [InlineData("/efi")]
    public async Task A_refused_target_is_answered_alike_over_IPv6_and_IPv4(string target)
    {
        var request = $"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

        var over4 = await RawRequestAsync(new IPEndPoint(IPAddress.Loopback, _port), request);
        var over6 = await RawRequestAsync(new IPEndPoint(IPAddress.IPv6Loopback, _port), request);

        Assert.Matches("^HTTP/1.1 (400|404) ", over6);
        Assert.DoesNotContain("do not serve", over6, StringComparison.Ordinal);
        Assert.Equal(WithoutDate(over4), WithoutDate(over6));
    }

    private static async Task<string> RawRequestAsync(IPEndPoint server, string request)
    {
        using var tcp = new TcpClient(server.AddressFamily);
        await tcp.ConnectAsync(server);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static string WithoutDate(string response) => DateHeader().Replace(response, "");

    [GeneratedRegex(@"(?m)^Date: [^\r\n]*\r\n")]
    private static partial Regex DateHeader();
}
