using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Scripts;

/// <summary>One neighbour of the kernel's ARP table: its IPv4 address and MAC (as the kernel writes them).</summary>
public readonly record struct ArpNeighbour(string Address, string Mac);

/// <summary><c>script-arp</c>, as dnsmasq's arp.c does it: the kernel's ARP table is read again at most every
/// <see cref="Interval"/> (dnsmasq's INTERVAL), and each neighbour that appeared since is told to <c>dhcp-script</c>
/// as <c>arp-add MAC ADDRESS</c>, each one gone as <c>arp-del MAC ADDRESS</c> (the first reading announces every
/// neighbour, as dnsmasq's does). Entries without a MAC (incomplete) are not neighbours.</summary>
public sealed class ArpScriptWatcher(ScriptRunner scripts, TimeProvider time, ILogger logger, string tablePath = ArpScriptWatcher.KernelTable)
{
    public const string KernelTable = "/proc/net/arp";

    /// <summary>dnsmasq arp.c: "Time between forced re-loads from kernel".</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(90);

    private FrozenSet<ArpNeighbour> _known = FrozenSet<ArpNeighbour>.Empty;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Poll();
            try
            {
                await Task.Delay(Interval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads the table once and posts the calls for what changed since the last reading.</summary>
    public void Poll()
    {
        string text;
        try
        {
            text = File.ReadAllText(tablePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Dhcp.LeaseLog.ArpTableUnreadable(logger, tablePath, e.Message);
            return;
        }
        var now = Parse(text).ToFrozenSet();
        var (added, removed) = Changes(_known, now);
        _known = now;
        // dnsmasq do_arp_script_run: the departures first, then the arrivals.
        foreach (var gone in removed)
        {
            scripts.Post(Start(scripts.Script, "arp-del", gone), "arp-del", gone.Address);
        }
        foreach (var come in added)
        {
            scripts.Post(Start(scripts.Script, "arp-add", come), "arp-add", come.Address);
        }
    }

    /// <summary>dnsmasq helper.c for ACTION_ARP / ACTION_ARP_DEL: the action, the MAC, the address; no DNSMASQ_* variable.</summary>
    public static ProcessStartInfo Start(string script, string action, ArpNeighbour neighbour)
    {
        var start = ScriptRunner.BareStart(script);
        start.ArgumentList.Add(action);
        start.ArgumentList.Add(neighbour.Mac);
        start.ArgumentList.Add(neighbour.Address);
        return start;
    }

    /// <summary>The neighbours that appeared and those that left between two readings, each in address order.</summary>
    public static (IReadOnlyList<ArpNeighbour> Added, IReadOnlyList<ArpNeighbour> Removed) Changes(
        IReadOnlySet<ArpNeighbour> before, IReadOnlySet<ArpNeighbour> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return ([.. after.Where(n => !before.Contains(n)).OrderBy(n => n.Address, StringComparer.Ordinal)],
                [.. before.Where(n => !after.Contains(n)).OrderBy(n => n.Address, StringComparer.Ordinal)]);
    }

    /// <summary><c>/proc/net/arp</c>: a header line, then "IP address, HW type, Flags, HW address, Mask, Device". An entry
    /// is a neighbour when its flags have ATF_COM (0x2, complete) and its MAC is not all zeros.</summary>
    public static IEnumerable<ArpNeighbour> Parse(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (var line in table.Split('\n').Skip(1))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4
                || !fields[2].StartsWith("0x", StringComparison.Ordinal)
                || !int.TryParse(fields[2].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags)
                || (flags & 0x2) == 0
                || fields[3] == "00:00:00:00:00:00"
                || !System.Net.IPAddress.TryParse(fields[0], out _))
            {
                continue;
            }
            yield return new ArpNeighbour(fields[0], fields[3].ToLowerInvariant());
        }
    }
}
