using System.Globalization;
using System.Text.RegularExpressions;

namespace NetBoot.Cli.Demo;

/// <summary>One step of the boot for the summary: when (since the demo started), which protocol, what happened.</summary>
internal sealed record DemoStep(TimeSpan At, string Protocol, string Text)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{At.TotalSeconds,7:0.0} s  {Protocol,-6} {Text}");
}

/// <summary>Reads NetBoot's log lines (and the router's DHCPACK) as they arrive and keeps the boot's steps: each proxy
/// answer on port 67, each boot-server answer on 4011, each TFTP and HTTP transfer. Consecutive "not found" TFTP
/// requests (pxelinux looks for a configuration named after the machine first) become one step. Pure text in, steps
/// out; the caller gives the time each line arrived.</summary>
internal sealed partial class DemoTimeline(string tftpRoot)
{
    private readonly List<DemoStep> _steps = [];
    private readonly Lock _gate = new();
    private DemoStep? _notFound;
    private int _notFoundCount;

    public IReadOnlyList<DemoStep> Steps
    {
        get
        {
            lock (_gate)
            {
                return [.. _steps];
            }
        }
    }

    public void Add(TimeSpan at, string protocol, string text)
    {
        lock (_gate)
        {
            _notFound = null;
            _steps.Add(new DemoStep(at, protocol, text));
        }
    }

    /// <summary>A line NetBoot logged (its stderr); ignored unless it is a step.</summary>
    public void OnServerLine(TimeSpan at, string line)
    {
        if (ExchangeLine().Match(line) is { Success: true } exchange)
        {
            OnExchange(at, exchange);
        }
        else if (TftpSent().Match(line) is { Success: true } sent)
        {
            Add(at, "TFTP", $"sent {Relative(sent.Groups["file"].Value)} to {sent.Groups["client"].Value}: {sent.Groups["bytes"].Value} bytes in {sent.Groups["time"].Value}");
        }
        else if (TftpSizeTold().Match(line) is { Success: true } size)
        {
            Add(at, "TFTP", $"told {size.Groups["client"].Value} the size of {Relative(size.Groups["file"].Value)} (tsize)");
        }
        else if (TftpNotFound().Match(line) is { Success: true } missing)
        {
            OnNotFound(at, missing.Groups["file"].Value.TrimStart('/'));
        }
        else if (HttpSent().Match(line) is { Success: true } http)
        {
            Add(at, "HTTP", $"{http.Groups["method"].Value} {http.Groups["path"].Value} from {http.Groups["client"].Value}: {http.Groups["status"].Value}, {http.Groups["bytes"].Value} bytes");
        }
        else if (HttpRefused().Match(line) is { Success: true } refused)
        {
            Add(at, "HTTP", $"{refused.Groups["method"].Value} {refused.Groups["path"].Value} from {refused.Groups["client"].Value}: {refused.Groups["status"].Value} {refused.Groups["reason"].Value}");
        }
    }

    /// <summary>A line of the router's dnsmasq: its DHCPACK is the address the VM got from the ordinary DHCP server.</summary>
    public void OnRouterLine(TimeSpan at, string line)
    {
        if (RouterAck().Match(line) is { Success: true } ack)
        {
            Add(at, "DHCP", $"the router (dnsmasq, ordinary DHCP) leased {ack.Groups["ip"].Value} to {ack.Groups["mac"].Value}");
        }
    }

    private void OnExchange(TimeSpan at, Match exchange)
    {
        var port = exchange.Groups["port"].Value;
        var asked = exchange.Groups["asked"].Value;
        var client = exchange.Groups["ip"].Success ? $"{exchange.Groups["ip"].Value} ({exchange.Groups["mac"].Value})" : exchange.Groups["mac"].Value;
        var answer = exchange.Groups["answer"].Value;
        if (answer.StartsWith("no reply", StringComparison.Ordinal))
        {
            Add(at, port == "4011" ? "4011" : "DHCP", $"{answer} to {client} [{asked}]");
            return;
        }
        // The answer is the boot file NetBoot named, or "proxy" when the answer carries the PXE options only.
        var file = answer == "proxy" ? "" : $": boot file {answer}";
        if (port == "4011")
        {
            Add(at, "4011", $"boot server answered {client}{file} [{asked}]");
            return;
        }
        Add(at, "DHCP", $"proxyDHCP answer on port 67 to {client}{file} [{asked}]");
    }

    private void OnNotFound(TimeSpan at, string file)
    {
        lock (_gate)
        {
            if (_notFound is null)
            {
                _notFoundCount = 0;
                _notFound = new DemoStep(at, "TFTP", "");
                _steps.Add(_notFound);
            }
            _notFoundCount++;
            var index = _steps.IndexOf(_notFound);
            var text = _notFoundCount == 1
                ? $"not found: {file}"
                : $"{_notFoundCount} names not found, the last {file} (pxelinux asks for a configuration named after the machine first)";
            _notFound = _notFound with { Text = text };
            _steps[index] = _notFound;
        }
    }

    private string Relative(string path) =>
        path.StartsWith(tftpRoot + "/", StringComparison.Ordinal) ? path[(tftpRoot.Length + 1)..] : path;

    // "PXE(sv0) 52:54:00:4e:44:01 proxy [DHCPDISCOVER on 67, arch 0 X86Bios, PXEClient:…]",
    // "PXE(sv0) 10.77.0.115 52:54:00:4e:44:01 pxelinux.0 [DHCPREQUEST on 4011, …]", "… no reply: … […]".
    [GeneratedRegex(@"\bPXE\((?<if>[^)]+)\) (?:(?<ip>\d+\.\d+\.\d+\.\d+) )?(?<mac>[0-9a-f]{2}(?::[0-9a-f]{2}){5}) (?<answer>.+?) \[(?<asked>\S+ on (?<port>\d+).*)\]$")]
    private static partial Regex ExchangeLine();

    [GeneratedRegex(@"netboot-tftp: sent (?<file>\S+) to (?<client>\S+): (?<bytes>\d+) bytes in (?<time>\S+ \S+?)[ ,]")]
    private static partial Regex TftpSent();

    [GeneratedRegex(@"netboot-tftp: size of (?<file>\S+) told to (?<client>\S+)")]
    private static partial Regex TftpSizeTold();

    [GeneratedRegex(@"netboot-tftp: (?:warning: )?file (?<file>\S+) not found for (?<client>\S+)")]
    private static partial Regex TftpNotFound();

    [GeneratedRegex(@"netboot-http: HTTP (?<method>GET|HEAD) (?<path>\S+) from (?<client>\S+): (?<status>\d{3}) sent \S+, (?<bytes>\d+) bytes")]
    private static partial Regex HttpSent();

    [GeneratedRegex(@"netboot-http: (?:warning: )?HTTP (?<method>\S+) (?<path>\S+) from (?<client>\S+): (?<status>[45]\d\d) (?<reason>.*)$")]
    private static partial Regex HttpRefused();

    [GeneratedRegex(@"DHCPACK\([^)]+\) (?<ip>\d+\.\d+\.\d+\.\d+) (?<mac>[0-9a-f:]{17})")]
    private static partial Regex RouterAck();
}
