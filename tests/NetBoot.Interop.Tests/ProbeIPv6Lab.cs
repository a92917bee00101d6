using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests;

/// <summary>The lab of the <c>probe --ipv6</c> tests: two namespaces joined by a veth pair, the server on sv0
/// (fd00:77::1/64), the probe on cl0, which has fd00:77::9/64 of its own (the probe does not configure the address it is
/// assigned, so the fetch needs one). Duplicate address detection is off in both, so the link-local addresses are usable
/// as soon as the link is up. Each subclass names the server it runs; the tests here hold for any.</summary>
public abstract class ProbeIPv6Lab(ITestOutputHelper output) : IAsyncLifetime
{
    protected const string ServerAddress = "fd00:77::1";
    protected const int BootFileLength = 1_500_000;

    private readonly NetworkNamespace _client = NetworkNamespace.Create("nbp6-cli");

    protected NetworkNamespace Server { get; } = NetworkNamespace.Create("nbp6-srv");

    /// <summary>The probe's namespace (cl0 is in it).</summary>
    protected string ClientNamespace => _client.Name;

    protected string Work { get; } = Directory.CreateTempSubdirectory("netboot-probe6-").FullName;

    protected string Root => Path.Combine(Work, "tftp");

    /// <summary>The DHCPv6 and TFTP server, once started.</summary>
    protected LabProcess? ServerProcess { get; set; }

    /// <summary>An HTTP server beside it, when a test starts one.</summary>
    protected LabProcess? Http { get; set; }

    /// <summary>The windowsize the server grants to the firmware's ask of 4.</summary>
    protected abstract int ExpectedWindowSize { get; }

    /// <summary>Starts the server on sv0 for the range fd00:77::1000-1fff with TFTP from <see cref="Root"/>, plus
    /// <paramref name="directives"/>, and waits until it serves.</summary>
    protected abstract Task StartServerAsync(string[] directives);

    public Task InitializeAsync()
    {
        foreach (var ns in new[] { Server, _client })
        {
            ns.Exec("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0");
            ns.Exec("sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0");
        }
        NetworkNamespace.Link(Server, "sv0", "10.77.66.1/24", _client, "cl0", "10.77.66.2/24");
        Server.Exec("ip", "addr", "add", ServerAddress + "/64", "dev", "sv0", "nodad");
        _client.Exec("ip", "addr", "add", "fd00:77::9/64", "dev", "cl0", "nodad");
        Directory.CreateDirectory(Root);
        // Served files must be world-readable (dnsmasq parity, netboot's as well).
        File.SetUnixFileMode(Work, (UnixFileMode)0b111_101_101);
        var file = new byte[BootFileLength];
        new Random(6).NextBytes(file);
        File.WriteAllBytes(Path.Combine(Root, "bootx64.efi"), file);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (ServerProcess is not null)
        {
            await ServerProcess.DisposeAsync();
        }
        if (Http is not null)
        {
            await Http.DisposeAsync();
        }
        _client.Dispose();
        Server.Dispose();
        Directory.Delete(Work, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected async Task<(int ExitCode, string Stdout)> ProbeAsync(double wait)
    {
        var netboot = Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot");
        var (code, stdout, stderr) = await Task.Run(() => Shell.Execute("ip", "netns", "exec", _client.Name, netboot, "probe", "--ipv6",
            "--interface", "cl0", "--wait", wait.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        output.WriteLine($"exit {code}\n{stdout}{stderr}\n{ServerProcess?.Log.Tail()}");
        return (code, stdout);
    }

    [Fact]
    public async Task Probe_ipv6_gets_an_address_and_the_bootfile_url_and_fetches_the_file_with_blksize_1228()
    {
        await StartServerAsync([$"dhcp-option=option6:bootfile-url,tftp://[{ServerAddress}]/bootx64.efi"]);

        var (code, report) = await ProbeAsync(3);

        Assert.Equal(0, code);
        Assert.Matches(@"answers to SOLICIT: 1\n  ADVERTISE from fe80::\S+: server DUID [0-9a-f:]+, preference \d+, address fd00:77::1[0-9a-f]{3}, bootfile-url tftp://\[fd00:77::1\]/bootx64.efi", report);
        Assert.Matches(@"REPLY from fe80::\S+: address fd00:77::1[0-9a-f]{3}, valid \d+ s", report);
        Assert.Matches(@"  address         fd00:77::1[0-9a-f]{3}\n  server DUID     [0-9a-f:]+\n  bootfile-url    tftp://\[fd00:77::1\]/bootx64.efi\n  bootfile-param  \(none\)\n  preference      \d+", report);
        Assert.Matches($@"boot file tftp://\[fd00:77::1\]/bootx64.efi: {BootFileLength} bytes in [0-9.]+ s \([0-9.]+ MB/s\), blksize 1228, windowsize {ExpectedWindowSize}", report);
        Assert.Contains("verdict: the firmware would boot", report, StringComparison.Ordinal);
        // The server's side: the address it handed out (dnsmasq and netboot write the same line).
        Assert.Matches(@"DHCPREPLY\(sv0\) fd00:77::1[0-9a-f]{3}", ServerProcess!.Log.ReadAll());
    }

    [Fact]
    public async Task Probe_ipv6_says_when_the_answer_has_no_bootfile_url()
    {
        await StartServerAsync([]);

        var (code, report) = await ProbeAsync(3);

        Assert.Equal(4, code);
        Assert.Contains("verdict: the answer has no bootfile-url (option 59): the firmware has nothing to boot", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_ipv6_says_when_the_tftp_server_refuses_the_boot_file()
    {
        await StartServerAsync([$"dhcp-option=option6:bootfile-url,tftp://[{ServerAddress}]/missing.efi"]);

        var (code, report) = await ProbeAsync(3);

        Assert.Equal(4, code);
        Assert.Matches(@"boot file tftp://\[fd00:77::1\]/missing.efi: failed: .*error 1", report);
    }
}
