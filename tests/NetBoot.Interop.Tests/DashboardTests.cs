using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests;

/// <summary>The live dashboard and the metrics endpoint of a real <c>netboot serve</c> in the lab's server namespace,
/// bound to that namespace's loopback (the default), seen by headless Chromium in the same namespace while
/// <c>netboot probe</c> boots from the LAN side (DISCOVER, proxy offer, 4011) and then fetches the boot file by TFTP.</summary>
[Trait("Category", "Interop")]
public partial class DashboardTests
{
    private const string ProbeAddress = "10.77.0.9";
    private const int MetricsPort = 9167;
    private const int DashboardPort = 9168;
    private static readonly TimeSpan StageTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_page_follows_a_client_from_offer_through_4011_to_done_and_metrics_count_it()
    {
        await using var lab = await NamespaceLab.CreateAsync();
        lab.KeepArtifacts = true;
        var scenario = LtspScenario.Create(lab.WorkDirectory);
        File.AppendAllText(scenario.ConfigPath, $"\nmetrics-listen={MetricsPort}\ndashboard-listen={DashboardPort}\n");
        var router = lab.StartRouter();
        await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], TimeSpan.FromSeconds(20), router);
        IPxeServerUnderTest server = new NetBootServer();
        var process = server.Start(lab, scenario);
        await lab.WaitForUdpPortsAsync(lab.ServerNamespace, server.ReadyPorts, TimeSpan.FromSeconds(60), process);
        await process.Log.WaitForAsync(new Regex("status endpoint listening"), TimeSpan.FromSeconds(30), stillAlive: process.EnsureRunning);

        await using var chromium = await HeadlessChromium.StartAsync(lab, lab.ServerNamespace);
        await chromium.OpenAsync(new Uri($"http://127.0.0.1:{DashboardPort}/"));
        await chromium.EvaluateAsync(WaitFor("document.body && document.body.dataset.updated", "document.documentElement.outerHTML.length"), StageTimeout);
        Assert.Equal("no client seen yet", (await chromium.EvaluateAsync("document.querySelector('#clients tbody').innerText.trim()", StageTimeout))?.ToString());
        var mac = ProbeMac(LabNetwork.Bridge);
        // Every distinct stage the page shows for the probe's MAC, recorded by the page itself as it re-renders.
        await chromium.EvaluateAsync(RecordStages(mac), StageTimeout);

        var report = Probe(lab);
        Assert.Contains($"proxyDHCP from {LabNetwork.ServerAddress}", report, StringComparison.Ordinal);
        await chromium.EvaluateAsync(WaitForStage(mac, "BootServer"), StageTimeout);

        var (code, stdout, stderr) = Shell.Execute("ip", "netns", "exec", lab.LanNamespace, Path.Combine(NetBootServer.PublishDirectory, "netboot"),
            "tftp-get", LabNetwork.ServerAddress, LtspScenario.BootFile, "-o", Path.Combine(lab.WorkDirectory, "fetched.0"));
        Assert.True(code == 0, $"tftp-get exited {code}: {stderr}\n{stdout}");

        var row = (await chromium.EvaluateAsync(WaitForStage(mac, "Done"), StageTimeout))?.ToString();
        Assert.Contains("done", row, StringComparison.Ordinal);
        Assert.Contains(ProbeAddress, row, StringComparison.Ordinal);
        var stages = (await chromium.EvaluateAsync("JSON.stringify(window.__stages)", StageTimeout))?.ToString() ?? "";
        Assert.Matches(new Regex("\"offer\".*\"4011\".*\"done\""), stages);
        await chromium.ScreenshotAsync(Path.Combine(lab.WorkDirectory, "dashboard.png"));

        var metrics = Shell.Run("ip", "netns", "exec", lab.ServerNamespace, "curl", "-sf", $"http://127.0.0.1:{MetricsPort}/metrics");
        Assert.True(Sample(metrics, "netboot_dhcp_replies_total{message_type=\"offer\",mode=\"proxy\"}") >= 1, metrics);
        Assert.True(Sample(metrics, "netboot_dhcp_replies_total{message_type=\"ack\",mode=\"4011\"}") >= 1, metrics);
        Assert.True(Sample(metrics, "netboot_dhcp_requests_total{message_type=\"discover\",mode=\"proxy\"}") >= 1, metrics);
        Assert.True(Sample(metrics, "netboot_tftp_transfers_total{result=\"completed\"}") >= 1, metrics);
        Assert.True(Sample(metrics, "netboot_tftp_sent_bytes_total") >= new FileInfo(Path.Combine(scenario.TftpRoot, "ltsp", "i386", "pxelinux.0")).Length, metrics);
        Assert.True(Sample(metrics, "netboot_tftp_transfer_duration_seconds_count{result=\"completed\"}") >= 1, metrics);
        lab.KeepArtifacts = false;
    }

    /// <summary>The dashboard is bound to the server namespace's loopback only: from the LAN it cannot be reached.</summary>
    [Fact]
    public async Task The_dashboard_is_not_reachable_from_the_lan_by_default()
    {
        await using var lab = await NamespaceLab.CreateAsync();
        var scenario = LtspScenario.Create(lab.WorkDirectory);
        File.AppendAllText(scenario.ConfigPath, $"\ndashboard-listen={DashboardPort}\n");
        IPxeServerUnderTest server = new NetBootServer();
        var process = server.Start(lab, scenario);
        await process.Log.WaitForAsync(new Regex("status endpoint listening on http://127.0.0.1:9168:"), TimeSpan.FromSeconds(60), stillAlive: process.EnsureRunning);
        Shell.Run("ip", "-n", lab.LanNamespace, "addr", "replace", $"{ProbeAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.Bridge);
        var (code, _, _) = Shell.Execute("ip", "netns", "exec", lab.LanNamespace, "curl", "-s", "-m", "5", $"http://{LabNetwork.ServerAddress}:{DashboardPort}/");
        Assert.NotEqual(0, code);
        var local = Shell.Run("ip", "netns", "exec", lab.ServerNamespace, "curl", "-sf", $"http://127.0.0.1:{DashboardPort}/");
        Assert.Contains("NetBoot dashboard", local, StringComparison.Ordinal);
    }

    private static string Probe(NamespaceLab lab)
    {
        Shell.Run("ip", "-n", lab.LanNamespace, "addr", "replace", $"{ProbeAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.Bridge);
        var (code, stdout, stderr) = Shell.Execute("ip", "netns", "exec", lab.LanNamespace,
            Path.Combine(NetBootServer.PublishDirectory, "netboot"), "probe", "--interface", LabNetwork.Bridge, "--arch", "bios", "--wait", "2",
            // The boot file comes next by tftp-get, whose transfer the page must show as the client's last stage.
            "--no-fetch");
        Assert.True(code == 0, $"probe exited {code}: {stderr}\n{stdout}");
        return stdout;
    }

    /// <summary>The MAC <c>netboot probe</c> uses on an interface (PxeProbe: 02:4e:42 and three bytes of SHA-256 of its name).</summary>
    private static string ProbeMac(string interfaceName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(interfaceName));
        return $"02:4e:42:{hash[0]:x2}:{hash[1]:x2}:{hash[2]:x2}";
    }

    private static double Sample(string exposition, string series)
    {
        var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A promise that resolves when <paramref name="condition"/> holds after some DOM change, or rejects at the deadline
    /// with what the page showed: the test awaits the page's own updates instead of sleeping.</summary>
    private static string WaitFor(string condition, string describe = "document.querySelector('#clients').innerText") => $$"""
        new Promise((resolve, reject) => {
          const check = () => { const v = ({{condition}}); if (v) { resolve(String(v)); return true; } return false; };
          if (check()) return;
          const observer = new MutationObserver(() => { if (check()) { observer.disconnect(); clearTimeout(timer); } });
          observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
          const timer = setTimeout(() => { observer.disconnect(); reject(new Error("timed out; page shows: " + ({{describe}}))); }, {{(int)StageTimeout.TotalMilliseconds - 5000}});
        })
        """;

    private static string WaitForStage(string mac, string stage) =>
        WaitFor($"(document.querySelector('tr[data-client=\"{mac}\"][data-stage=\"{stage}\"]') || {{}}).innerText");

    private static string RecordStages(string mac) => $$"""
        (() => {
          window.__stages = [];
          const record = () => {
            const row = document.querySelector('tr[data-client="{{mac}}"] .stage');
            const text = row ? row.firstChild.textContent : null;
            if (text && window.__stages[window.__stages.length - 1] !== text) window.__stages.push(text);
          };
          new MutationObserver(record).observe(document.body, { subtree: true, childList: true });
          return true;
        })()
        """;
}
