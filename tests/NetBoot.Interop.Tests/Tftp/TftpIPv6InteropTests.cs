using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Tftp;

/// <summary>The TFTP lab with IPv6 on its link (fd00:78::2 on sv0, fd00:78::1 on cl0) and a second link that netboot
/// does not serve (sv1 fd00:79::2 ↔ cl1 fd00:79::1, present at start but not named by <c>interface=</c>); HTTP on 8080.</summary>
public sealed class TftpIPv6LabFixture : IAsyncLifetime
{
    public const string ServerAddress = "fd00:78::2";
    public const string ClientAddress = "fd00:78::1";
    public const string UnservedAddress = "fd00:79::2";
    public const string ServerLinkLocal = "fe80::78:2";

    public TftpLab Lab { get; private set; } = null!;

    public async Task InitializeAsync() => Lab = await TftpLab.StartAsync(lab =>
    {
        // nodad: usable at once (duplicate address detection would hold them "tentative" for a second).
        lab.Server.Exec("ip", "addr", "add", ServerAddress + "/64", "dev", TftpLab.ServerInterface, "nodad");
        lab.Client.Exec("ip", "addr", "add", ClientAddress + "/64", "dev", TftpLab.ClientInterface, "nodad");
        lab.Server.Exec("ip", "addr", "add", ServerLinkLocal + "/64", "dev", TftpLab.ServerInterface, "nodad");
        lab.Client.Exec("ip", "addr", "add", "fe80::78:1/64", "dev", TftpLab.ClientInterface, "nodad");
        Shell.Run("ip", "link", "add", "sv1", "netns", lab.Server.Name, "type", "veth", "peer", "name", "cl1", "netns", lab.Client.Name);
        lab.Server.Exec("ip", "addr", "add", UnservedAddress + "/64", "dev", "sv1", "nodad");
        lab.Client.Exec("ip", "addr", "add", "fd00:79::1/64", "dev", "cl1", "nodad");
        lab.Server.Exec("ip", "link", "set", "sv1", "up");
        lab.Client.Exec("ip", "link", "set", "cl1", "up");
    }, "http-port=8080");

    public async Task DisposeAsync() => await Lab.DisposeAsync();
}

/// <summary>Issue 19 item 3: TFTP and HTTP over IPv6 from netboot, read by real clients (tftp-hpa <c>-6</c>, curl) and by
/// netboot's own tftp-get for what curl cannot ask (windowsize): EDK2's PXEv6 asks blksize 1228 with windowsize 4. The
/// files arrive byte-identical (SHA-256), the path policy refuses alike, and an interface outside <c>interface=</c> is
/// not answered over IPv6 either.</summary>
[Trait("Category", "Interop")]
public sealed class TftpIPv6InteropTests(TftpIPv6LabFixture fixture, ITestOutputHelper output) : IClassFixture<TftpIPv6LabFixture>
{
    private static readonly TimeSpan LogTimeout = TimeSpan.FromSeconds(30);

    private TftpLab Lab => fixture.Lab;

    [Fact]
    public async Task The_listening_line_names_the_interface_IPv6_address()
    {
        await Lab.WaitForLogAsync(new Regex($@"TFTP listening on sv0 .*\[{Regex.Escape(TftpIPv6LabFixture.ServerAddress)}\].*:69"), LogTimeout);
        await Lab.WaitForLogAsync(new Regex($@"HTTP listening on sv0 .*\[{Regex.Escape(TftpIPv6LabFixture.ServerAddress)}\].*:8080"), LogTimeout);
    }

    [Fact]
    public async Task Tftp_hpa_fetches_a_file_over_IPv6()
    {
        var received = Lab.OutputPath(TftpLab.SmallFile);
        await FetchAsync(["tftp", "-6", "-m", "binary", TftpIPv6LabFixture.ServerAddress, "-c", "get", TftpLab.SmallFile, received]);

        AssertSameFile(TftpLab.SmallFile, received);
        await Lab.WaitForLogAsync(new Regex($@"sent \S+/{TftpLab.SmallFile} to {Regex.Escape(TftpIPv6LabFixture.ClientAddress)}: {TftpLab.SmallFileLength} bytes"), LogTimeout);
    }

    /// <summary>A link-local address is only meaningful with its interface: the transfer socket is bound to it with the
    /// arrival interface as scope.</summary>
    [Fact]
    public async Task Tftp_hpa_fetches_a_file_from_the_link_local_address()
    {
        var received = Lab.OutputPath(TftpLab.SmallFile);
        await FetchAsync(["tftp", "-6", "-m", "binary", $"{TftpIPv6LabFixture.ServerLinkLocal}%{TftpLab.ClientInterface}", "-c", "get", TftpLab.SmallFile, received]);

        AssertSameFile(TftpLab.SmallFile, received);
        await Lab.WaitForLogAsync(new Regex($@"sent \S+/{TftpLab.SmallFile} to fe80::[0-9a-f:]+%\d+: {TftpLab.SmallFileLength} bytes"), LogTimeout);
    }

    [Fact]
    public async Task Curl_fetches_the_file_past_the_block_wrap_over_IPv6_with_blksize_1228()
    {
        var received = Lab.OutputPath(TftpLab.WrapFile);
        await FetchAsync(["curl", "-sS", "-g", "--tftp-blksize", "1228", $"tftp://[{TftpIPv6LabFixture.ServerAddress}]/{TftpLab.WrapFile}", "-o", received]);

        AssertSameFile(TftpLab.WrapFile, received);
        await Lab.WaitForLogAsync(new Regex($@"sent \S+/{TftpLab.WrapFile} to {Regex.Escape(TftpIPv6LabFixture.ClientAddress)}: {TftpLab.WrapFileLength} bytes .* blksize 1228, windowsize 1"), LogTimeout);
    }

    /// <summary>What EDK2's PXEv6 asks (blksize 1228, windowsize 4), at the wire level by netboot's own client.</summary>
    [Fact]
    public async Task Netboot_tftp_get_negotiates_blksize_1228_and_windowsize_4_over_IPv6()
    {
        var netboot = Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot");
        var received = Lab.OutputPath(TftpLab.WrapFile);
        var (_, _, stderr) = await FetchAsync([netboot, "tftp-get", "--blksize", "1228", "--windowsize", "4", "--tsize",
            $"[{TftpIPv6LabFixture.ServerAddress}]", TftpLab.WrapFile, "-o", received]);

        AssertSameFile(TftpLab.WrapFile, received);
        Assert.Matches($@"received {TftpLab.WrapFile} from .*: {TftpLab.WrapFileLength} bytes .* blksize 1228, windowsize 4, tsize {TftpLab.WrapFileLength}", stderr);
        await Lab.WaitForLogAsync(new Regex($@"sent \S+/{TftpLab.WrapFile} to {Regex.Escape(TftpIPv6LabFixture.ClientAddress)}: {TftpLab.WrapFileLength} bytes .* blksize 1228, windowsize 4"), LogTimeout);
    }

    [Theory]
    [InlineData("escape")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("unreadable")]
    [InlineData("fifo")]
    public async Task A_name_refused_over_IPv4_is_refused_over_IPv6(string name)
    {
        var over4 = await Lab.RunClientAsync("curl", "-sS", "--max-time", "10", $"tftp://{TftpLab.ServerAddress}/{name}", "-o", Lab.OutputPath("refused"));
        var over6 = await Lab.RunClientAsync("curl", "-sS", "-g", "--max-time", "10", $"tftp://[{TftpIPv6LabFixture.ServerAddress}]/{name}", "-o", Lab.OutputPath("refused"));
        output.WriteLine($"IPv4: {over4.ExitCode} {over4.Stderr}\nIPv6: {over6.ExitCode} {over6.Stderr}");

        Assert.NotEqual(0, over6.ExitCode);
        Assert.Equal((over4.ExitCode, over4.Stderr), (over6.ExitCode, over6.Stderr));
    }

    [Fact]
    public async Task Curl_fetches_a_boot_file_over_HTTP_on_IPv6_and_the_path_policy_holds()
    {
        var received = Lab.OutputPath(TftpLab.SmallFile);
        await FetchAsync(["curl", "-sS", "-g", "--fail", $"http://[{TftpIPv6LabFixture.ServerAddress}]:8080/{TftpLab.SmallFile}", "-o", received]);
        AssertSameFile(TftpLab.SmallFile, received);

        foreach (var target in new[] { "escape", "../../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "unreadable" })
        {
            var refused = await Lab.RunClientAsync("curl", "-sS", "-g", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}",
                $"http://[{TftpIPv6LabFixture.ServerAddress}]:8080/{target}");
            output.WriteLine($"{target}: {refused.Stdout} {refused.Stderr}");
            Assert.Matches("^(400|404)$", refused.Stdout);
        }
    }

    /// <summary>sv1 has an IPv6 address but is not named by <c>interface=</c>: nothing listens there (the kernel answers
    /// port unreachable), over TFTP or HTTP.</summary>
    [Fact]
    public async Task An_interface_outside_the_interface_rules_is_not_served_over_IPv6()
    {
        var tftp = await Lab.RunClientAsync("curl", "-sS", "-g", "--max-time", "10", $"tftp://[{TftpIPv6LabFixture.UnservedAddress}]/{TftpLab.SmallFile}", "-o", Lab.OutputPath("unserved"));
        var http = await Lab.RunClientAsync("curl", "-sS", "-g", "--max-time", "10", $"http://[{TftpIPv6LabFixture.UnservedAddress}]:8080/{TftpLab.SmallFile}", "-o", "/dev/null");
        output.WriteLine($"TFTP: {tftp.ExitCode} {tftp.Stderr}\nHTTP: {http.ExitCode} {http.Stderr}");

        Assert.NotEqual(0, tftp.ExitCode);
        Assert.Equal(7, http.ExitCode); // curl: "Failed to connect" (connection refused).
        Assert.DoesNotContain(TftpIPv6LabFixture.UnservedAddress, Lab.ServerProcess!.Log.Tail(), StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> FetchAsync(string[] command)
    {
        var result = await Lab.RunClientAsync(command);
        output.WriteLine($"$ {string.Join(' ', command)} → {result.ExitCode}\n{result.Stdout}{result.Stderr}");
        Assert.True(result.ExitCode == 0, $"{command[0]} failed ({result.ExitCode}): {result.Stderr}\n{Lab.ServerProcess!.Log.Tail()}");
        return result;
    }

    private void AssertSameFile(string served, string received)
    {
        Assert.Equal(new FileInfo(Lab.PathInRoot(served)).Length, new FileInfo(received).Length);
        Assert.Equal(TftpLab.Sha256File(Lab.PathInRoot(served)), TftpLab.Sha256File(received));
        File.Delete(received);
    }
}
