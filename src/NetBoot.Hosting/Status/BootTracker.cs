using System.Collections.Immutable;
using System.Globalization;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Status;

/// <summary>Where a client is in its boot, in the order a PXE boot goes.</summary>
public enum BootStage
{
    /// <summary>Asked (DISCOVER or REQUEST) and not answered yet.</summary>
    Discover,
    /// <summary>Sent a DHCP request NetBoot did not answer (why is in the detail).</summary>
    NotAnswered,
    /// <summary>Got an OFFER (proxy menu or address).</summary>
    Offered,
    /// <summary>Got an ACK on port 67 (full DHCP: the address is bound).</summary>
    Acknowledged,
    /// <summary>Asked the boot server on port 4011 and got its answer.</summary>
    BootServer,
    /// <summary>Fetching a file.</summary>
    Transferring,
    /// <summary>The last file asked for was delivered.</summary>
    Done,
    /// <summary>The last transfer failed or was refused (why is in the detail).</summary>
    Failed,
}

/// <summary>One line of a client's history.</summary>
public sealed record BootStep(DateTimeOffset At, string Text);

/// <summary>What the dashboard shows for one client.</summary>
/// <param name="Key">The MAC, or <c>ip:ADDRESS</c> for a client seen only by TFTP/HTTP.</param>
public sealed record ClientBoot(
    string Key,
    BootStage Stage,
    string Detail,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    ImmutableArray<IPv4Address> Addresses,
    ImmutableArray<BootStep> History,
    string? Architecture = null,
    string? File = null,
    long FileSize = -1,
    long FileBytes = 0)
{
    /// <summary>0..100 of the file in flight, null when its size is unknown.</summary>
    public int? Percent => FileSize > 0 ? (int)Math.Min(100, FileBytes * 100 / FileSize) : null;

    /// <summary>The stage as the page shows it: <c>DISCOVER</c>, <c>offer</c>, <c>4011</c>, <c>file 42%</c>, <c>done</c>, <c>failed: why</c>.</summary>
    public string StageText => Stage switch
    {
        BootStage.Discover => "DISCOVER",
        BootStage.NotAnswered => "not answered: " + Detail,
        BootStage.Offered => "offer",
        BootStage.Acknowledged => "ack",
        BootStage.BootServer => "4011",
        BootStage.Transferring => Percent is { } p ? string.Create(CultureInfo.InvariantCulture, $"file {p}%") : "file",
        BootStage.Done => "done",
        BootStage.Failed => "failed: " + Detail,
        _ => Stage.ToString(),
    };
}

/// <summary>Every client seen recently, and which address belongs to which MAC (TFTP and HTTP see only addresses).</summary>
public sealed record BootTrackerState(ImmutableDictionary<string, ClientBoot> Clients, ImmutableDictionary<IPv4Address, string> Owners)
{
    public static readonly BootTrackerState Empty = new(
        ImmutableDictionary.Create<string, ClientBoot>(StringComparer.Ordinal), ImmutableDictionary<IPv4Address, string>.Empty);
}

/// <summary>Folds <see cref="BootEvent"/>s into per-client boot stages: a pure function of (state, event), so the
/// dashboard's logic is tested without sockets, and the services only report what they did.</summary>
public static class BootTracker
{
    /// <summary>Lines of history kept per client.</summary>
    public const int HistoryLength = 12;

    public static BootTrackerState Apply(BootTrackerState state, BootEvent e)
    {
        ArgumentNullException.ThrowIfNull(state);
        return e switch
        {
            DhcpExchanged d => ApplyDhcp(state, d),
            TransferStarted s => Update(state, s.Client, s.At, c => c with
            {
                Stage = BootStage.Transferring, File = s.File, FileSize = s.Size, FileBytes = 0, Detail = $"{s.Protocol} {s.File}",
            }, $"{s.Protocol} {s.File} started" + (s.Size >= 0 ? string.Create(CultureInfo.InvariantCulture, $" ({s.Size} bytes)") : "")),
            TransferProgressed p => Update(state, p.Client, p.At,
                c => c.Stage == BootStage.Transferring && c.File == p.File ? c with { FileBytes = p.Bytes } : c, history: null),
            TransferEnded { IsProbe: true } t => Update(state, t.Client, t.At, c => c with { Detail = $"{t.Protocol} {t.File}: size asked" },
                $"{t.Protocol} {t.File}: size asked, client ended (normal for PXE ROMs)"),
            TransferEnded { Failure: null } t => Update(state, t.Client, t.At,
                c => c with { Stage = BootStage.Done, File = t.File, FileBytes = t.Bytes, FileSize = Math.Max(c.FileSize, t.Bytes), Detail = $"{t.Protocol} {t.File}" },
                string.Create(CultureInfo.InvariantCulture, $"{t.Protocol} {t.File} done ({t.Bytes} bytes)")),
            TransferEnded t => Update(state, t.Client, t.At,
                c => c with { Stage = BootStage.Failed, File = t.File, FileBytes = t.Bytes, Detail = $"{t.Protocol} {t.File}: {t.Failure}" },
                $"{t.Protocol} {t.File} failed: {t.Failure}"),
            TransferRefused r => Update(state, r.Client, r.At,
                c => c with { Stage = BootStage.Failed, File = r.File, FileBytes = 0, FileSize = -1, Detail = $"{r.Protocol} {r.File}: {r.Reason}" },
                $"{r.Protocol} {r.File} refused: {r.Reason}"),
            _ => state,
        };
    }

    /// <summary>Forgets clients not heard from since <paramref name="maxAge"/>, and the oldest beyond <paramref name="maxClients"/>.</summary>
    public static BootTrackerState Prune(BootTrackerState state, DateTimeOffset now, TimeSpan maxAge, int maxClients)
    {
        ArgumentNullException.ThrowIfNull(state);
        var keep = state.Clients.Values
            .Where(c => now - c.LastSeen <= maxAge)
            .OrderByDescending(c => c.LastSeen)
            .Take(maxClients)
            .Select(c => c.Key)
            .ToHashSet(StringComparer.Ordinal);
        if (keep.Count == state.Clients.Count)
        {
            return state;
        }
        return new BootTrackerState(
            state.Clients.Where(kv => keep.Contains(kv.Key)).ToImmutableDictionary(StringComparer.Ordinal),
            state.Owners.Where(kv => keep.Contains(kv.Value)).ToImmutableDictionary());
    }

    private static BootTrackerState ApplyDhcp(BootTrackerState state, DhcpExchanged d)
    {
        var clients = state.Clients;
        var owners = state.Owners;
        var existing = clients.GetValueOrDefault(d.Client)
            ?? new ClientBoot(d.Client, BootStage.Discover, "", d.At, d.At, [], []);
        var addresses = existing.Addresses;
        foreach (var address in d.Addresses.Where(a => !a.IsZero && !addresses.Contains(a)))
        {
            addresses = addresses.Add(address);
        }
        foreach (var address in addresses)
        {
            // A client seen first by address (TFTP before any DHCP we saw) is merged into its MAC's entry.
            if (owners.GetValueOrDefault(address) is { } previous && previous != d.Client && previous.StartsWith("ip:", StringComparison.Ordinal))
            {
                clients = clients.Remove(previous);
            }
            owners = owners.SetItem(address, d.Client);
        }
        var (stage, detail) = Next(existing, d);
        var step = d.ReplyType is null
            ? $"{d.RequestType} ({d.Mode}): not answered: {d.Detail}"
            : $"{d.RequestType} ({d.Mode}) -> {d.ReplyType} {d.Detail}";
        var updated = existing with
        {
            Stage = stage,
            Detail = detail,
            LastSeen = d.At,
            Addresses = addresses,
            Architecture = d.Architecture ?? existing.Architecture,
            History = Append(existing.History, new BootStep(d.At, step)),
        };
        return new BootTrackerState(clients.SetItem(d.Client, updated), owners);
    }

    private static (BootStage Stage, string Detail) Next(ClientBoot client, DhcpExchanged d)
    {
        if (d.ReplyType is null)
        {
            // A DHCP message we leave alone (a REQUEST meant for the real DHCP server) does not undo progress.
            return client.Stage is BootStage.Discover or BootStage.NotAnswered && d.RequestType is "DISCOVER" or "REQUEST"
                ? (BootStage.NotAnswered, d.Detail)
                : (client.Stage, client.Detail);
        }
        if (d.Mode == "4011")
        {
            return (BootStage.BootServer, d.Detail);
        }
        return d.ReplyType switch
        {
            "OFFER" => (BootStage.Offered, d.Detail),
            "ACK" when d.RequestType != "INFORM" || client.Stage < BootStage.Acknowledged => (BootStage.Acknowledged, d.Detail),
            "NAK" => (BootStage.Failed, "NAK: " + d.Detail),
            _ => (client.Stage, client.Detail),
        };
    }

    private static BootTrackerState Update(BootTrackerState state, IPv4Address address, DateTimeOffset at, Func<ClientBoot, ClientBoot> change, string? history)
    {
        var key = state.Owners.GetValueOrDefault(address) ?? "ip:" + address;
        var owners = state.Owners.ContainsKey(address) ? state.Owners : state.Owners.SetItem(address, key);
        var existing = state.Clients.GetValueOrDefault(key)
            ?? new ClientBoot(key, BootStage.Transferring, "", at, at, [address], []);
        var updated = change(existing) with { LastSeen = at };
        if (history is not null)
        {
            updated = updated with { History = Append(existing.History, new BootStep(at, history)) };
        }
        return new BootTrackerState(state.Clients.SetItem(key, updated), owners);
    }

    private static ImmutableArray<BootStep> Append(ImmutableArray<BootStep> history, BootStep step) =>
        history.Length < HistoryLength ? history.Add(step) : history.RemoveAt(0).Add(step);
}
