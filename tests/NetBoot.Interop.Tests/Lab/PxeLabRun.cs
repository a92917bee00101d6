using System.Diagnostics;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Servers;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Lab;

/// <summary>One boot of the lab: namespaces, capture, router, server under test and VM, started in that order
/// (each waited for by the UDP ports it binds), with timed milestones written to the test output.</summary>
public sealed partial class PxeLabRun : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _clock;

    private PxeLabRun(NamespaceLab lab, LtspScenario scenario, IPxeServerUnderTest server,
        LabProcess router, LabProcess serverProcess, QemuClient client, ITestOutputHelper output, Stopwatch clock)
    {
        Lab = lab;
        Scenario = scenario;
        Server = server;
        Router = router;
        ServerProcess = serverProcess;
        Client = client;
        _output = output;
        _clock = clock;
    }

    public NamespaceLab Lab { get; }

    public LtspScenario Scenario { get; }

    public IPxeServerUnderTest Server { get; }

    public LabProcess Router { get; }

    public LabProcess ServerProcess { get; }

    public QemuClient Client { get; }

    public ServerLogExpectations Expect => Server.Log;

    public static async Task<PxeLabRun> StartAsync(IPxeServerUnderTest server, ITestOutputHelper output)
    {
        var clock = Stopwatch.StartNew();
        var lab = await NamespaceLab.CreateAsync();
        try
        {
            var scenario = LtspScenario.Create(lab.WorkDirectory);
            lab.StartCapture();
            var router = lab.StartRouter();
            await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], TimeSpan.FromSeconds(20), router);
            var serverProcess = server.Start(lab, scenario);
            await lab.WaitForUdpPortsAsync(lab.ServerNamespace, server.ReadyPorts, TimeSpan.FromSeconds(60), serverProcess);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  lab {lab.Id} ready, {server.Name} listening; starting the VM");
            var client = QemuClient.Start(lab, LabNetwork.ClientMac);
            return new PxeLabRun(lab, scenario, server, router, serverProcess, client, output, clock);
        }
        catch
        {
            lab.KeepArtifacts = true;
            output.WriteLine($"lab artifacts kept in {lab.WorkDirectory}");
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the test body; on failure keeps the logs and names them in the exception.</summary>
    public async Task RunAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception exception)
        {
            Lab.KeepArtifacts = true;
            throw new LabAssertionException(
                $"{exception.Message}\n\nLab artifacts (logs, serial.log, client.pcap) kept in {Lab.WorkDirectory}\n"
                + ServerProcess.Log.Tail(25) + "\n" + Client.Serial.Tail(25), exception);
        }
    }

    /// <summary>Waits for <paramref name="pattern"/> in <paramref name="log"/> while every lab process must
    /// stay alive, and records the milestone.</summary>
    public async Task<Match> WaitAsync(LogFile log, Regex pattern, TimeSpan timeout, string milestone, int startAt = 0)
    {
        var match = await log.WaitForAsync(pattern, timeout, startAt, Lab.EnsureAllRunning);
        Milestone(milestone);
        return match;
    }

    public void Milestone(string what) => _output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    /// <summary>The address the router's dnsmasq acknowledged to the VM, checked against its lease file.</summary>
    public async Task<string> LeasedAddressAsync(TimeSpan timeout)
    {
        var ack = await WaitAsync(Router.Log,
            new Regex($@"DHCPACK\({LabNetwork.RouterInterface}\) (?<ip>[0-9.]+) {Regex.Escape(LabNetwork.ClientMac)}"),
            timeout, "router acknowledged a lease");
        var ip = ack.Groups["ip"].Value;
        var leases = new LogFile(Lab.RouterLeaseFile, "router lease file");
        await leases.WaitForAsync(new Regex($@"\b{Regex.Escape(LabNetwork.ClientMac)} {Regex.Escape(ip)}\b"), timeout);
        return ip;
    }

    public static Regex Literal(string text) => new(Regex.Escape(text));

    /// <summary>The file names the VM asked the server for by TFTP (read requests seen on the wire), once
    /// <paramref name="last"/> is among them: the capture trails the wire by a few milliseconds.</summary>
    public async Task<IReadOnlyList<string>> CapturedTftpReadRequestsAsync(string last, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var text = await Lab.ReadCaptureAsync($"udp and dst host {LabNetwork.ServerAddress} and dst port 69");
            var names = TftpReadRequest().Matches(text).Select(m => m.Groups[1].Value).ToArray();
            if (names.Contains(last) || clock.Elapsed > timeout)
            {
                Milestone($"wire: TFTP read requests {string.Join(", ", names)}");
                return names;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>How many captured frames match a pcap filter.</summary>
    public async Task<int> CapturedPacketCountAsync(string filter)
    {
        var text = await Lab.ReadCaptureAsync(filter);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    [GeneratedRegex(@"RRQ ""([^""]+)""")]
    private static partial Regex TftpReadRequest();

    public ValueTask DisposeAsync()
    {
        Milestone("tearing down");
        return Lab.DisposeAsync();
    }
}

public sealed class LabAssertionException(string message, Exception inner) : Exception(message, inner);
