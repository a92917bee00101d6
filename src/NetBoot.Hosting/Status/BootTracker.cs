using System.Collections.Immutable;
using System.Globalization;
using NetBoot.Engine.Limits;
using NetBoot.Wire.Dhcp6;
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
/// <param name="Key">The client as the page names it (<see cref="BootClientId.Text"/>): the MAC, <c>duid:…</c> for a DHCPv6
/// client whose DUID carries no MAC, or <c>ip:ADDRESS</c> for a client seen only by TFTP/HTTP.</param>
/// <param name="Addresses">The last <see cref="BootTracker.MaxAddresses"/> addresses it was known by (IPv4 and IPv6),
/// oldest first.</param>
public sealed record ClientBoot(
    string Key,
    BootStage Stage,
    string Detail,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    ImmutableArray<BootAddress> Addresses,
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

/// <summary>Who a tracked client is: its hardware address (<c>htype</c> + <c>chaddr</c>, as its lease is keyed, so a
/// client that changes <c>htype</c> is another client, as it is for the leases; for a DHCPv6 client, the hardware type
/// and address its DUID-LL or DUID-LLT carries), or the DUID of a DHCPv6 client whose DUID carries none, or, for a client
/// seen only by TFTP or HTTP, its IPv4 or IPv6 address.</summary>
public readonly record struct BootClientId(HardwareAddress Hardware, BootAddress Address, Duid Duid = default)
{
    public static BootClientId Of(HardwareAddress hardware) => new(hardware, default);

    /// <summary>RFC 8415 §11.2, §11.4: a DUID-LLT or DUID-LL holds the hardware type and a link-layer address of the
    /// machine: the same key as its DHCPv4 requests (htype 1 is Ethernet in both), so its IPv4 and IPv6 boots are one
    /// client. Other DUIDs (DUID-EN, DUID-UUID) name the client by themselves.</summary>
    public static BootClientId Of(Duid duid) =>
        duid.TryGetLinkLayerAddress(out var hardware) && hardware.Length > 0 ? Of(hardware) : new(default, default, duid);

    public static BootClientId ByAddress(BootAddress address) => new(default, address);

    /// <summary>Known only by its address (no DHCP request of it seen yet, or forgotten since).</summary>
    public bool IsAddressOnly => Hardware.Length == 0 && Duid.Bytes.IsEmpty;

    /// <summary>As the page shows it: the MAC as dnsmasq logs it, prefixed with the type when it is not Ethernet (as in
    /// dnsmasq's lease file: <c>06-aa:bb:…</c>); <c>duid:00:02:…</c>; or <c>ip:ADDRESS</c>.</summary>
    public string Text => !Duid.Bytes.IsEmpty ? "duid:" + Duid
        : IsAddressOnly ? "ip:" + Address
        : Hardware.HardwareType == 1 ? Hardware.ToString()
        : Hardware.HardwareType.ToString("x2", CultureInfo.InvariantCulture) + "-" + Hardware;
}

/// <summary>What the dashboard reads: the clients tracked when it was taken, by <see cref="ClientBoot.Key"/>.</summary>
public sealed record BootTrackerState(IReadOnlyDictionary<string, ClientBoot> Clients)
{
    public static readonly BootTrackerState Empty = new(new Dictionary<string, ClientBoot>(StringComparer.Ordinal));
}

/// <summary>Folds <see cref="BootEvent"/>s into per-client boot stages, so the dashboard's logic is tested without sockets
/// and the services only report what they did. Bounded and O(1) per event whatever clients send: at most
/// <see cref="Capacity"/> clients (the one heard from least recently is forgotten first, and any not heard from for
/// <see cref="MaxAge"/>), each with its last <see cref="MaxAddresses"/> addresses and <see cref="HistoryLength"/> history
/// lines of at most <see cref="MaxTextLength"/> characters; the address index holds only addresses some client lists.
/// Not thread-safe: <see cref="BootTelemetry"/> folds on one thread at a time, off the receive paths.</summary>
public sealed class BootTracker
{
    /// <summary>Lines of history kept per client.</summary>
    public const int HistoryLength = 12;

    /// <summary>Addresses kept per client (its newest): a PXE boot knows a client by one or two; a client that sends a
    /// new <c>ciaddr</c> with every request must not grow a list that each request walks.</summary>
    public const int MaxAddresses = 4;

    /// <summary>Characters kept of any text a client can influence (file names, details).</summary>
    public const int MaxTextLength = 200;

    public const int DefaultCapacity = 256;

    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromMinutes(30);

    private readonly LruTable<BootClientId, ClientBoot> _clients;
    private readonly Dictionary<BootAddress, BootClientId> _owners;

    public BootTracker(int capacity = DefaultCapacity, TimeSpan? maxAge = null)
    {
        _clients = new LruTable<BootClientId, ClientBoot>(capacity);
        _owners = new Dictionary<BootAddress, BootClientId>(capacity * MaxAddresses);
        MaxAge = maxAge ?? DefaultMaxAge;
    }

    public int Capacity => _clients.Capacity;

    public TimeSpan MaxAge { get; }

    public int Count => _clients.Count;

    /// <summary>Entries of the address → client index (at most <see cref="MaxAddresses"/> × <see cref="Capacity"/>).</summary>
    public int OwnerCount => _owners.Count;

    /// <summary>Grows with every change.</summary>
    public long Version { get; private set; }

    /// <summary>Units of work done so far: events, addresses compared or moved, clients forgotten. Tests read it to show
    /// that an event costs the same however many clients are tracked.</summary>
    internal long Steps { get; private set; }

    public void Apply(BootEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Steps++;
        switch (e)
        {
            case DhcpExchanged d:
                ApplyDhcp(d);
                break;
            case Dhcp6Exchanged d:
                ApplyDhcp6(d);
                break;
            case TransferStarted s:
                Update(s.Client, s.At, c => c with
                {
                    Stage = BootStage.Transferring, File = Cut(s.File), FileSize = s.Size, FileBytes = 0, Detail = Cut($"{s.Protocol} {s.File}"),
                }, $"{s.Protocol} {s.File} started" + (s.Size >= 0 ? string.Create(CultureInfo.InvariantCulture, $" ({s.Size} bytes)") : ""));
                break;
            case TransferProgressed p:
                Update(p.Client, p.At, c => c.Stage == BootStage.Transferring && c.File == Cut(p.File) ? c with { FileBytes = p.Bytes } : c, history: null);
                break;
            case TransferEnded { IsProbe: true } t:
                Update(t.Client, t.At, c => c with { Detail = Cut($"{t.Protocol} {t.File}: size asked") },
                    $"{t.Protocol} {t.File}: size asked, client ended (normal for PXE ROMs)");
                break;
            case TransferEnded { Failure: null } t:
                Update(t.Client, t.At,
                    c => c with { Stage = BootStage.Done, File = Cut(t.File), FileBytes = t.Bytes, FileSize = Math.Max(c.FileSize, t.Bytes), Detail = Cut($"{t.Protocol} {t.File}") },
                    string.Create(CultureInfo.InvariantCulture, $"{t.Protocol} {t.File} done ({t.Bytes} bytes)"));
                break;
            case TransferEnded t:
                Update(t.Client, t.At,
                    c => c with { Stage = BootStage.Failed, File = Cut(t.File), FileBytes = t.Bytes, Detail = Cut($"{t.Protocol} {t.File}: {t.Failure}") },
                    $"{t.Protocol} {t.File} failed: {t.Failure}");
                break;
            case TransferRefused r:
                Update(r.Client, r.At,
                    c => c with { Stage = BootStage.Failed, File = Cut(r.File), FileBytes = 0, FileSize = -1, Detail = Cut($"{r.Protocol} {r.File}: {r.Reason}") },
                    $"{r.Protocol} {r.File} refused: {r.Reason}");
                break;
            default:
                return;
        }
        Version++;
    }

    /// <summary>Forgets the clients not heard from for longer than <see cref="MaxAge"/>: they are the least recently used,
    /// so this looks only at the ones it forgets (and one more).</summary>
    public void Expire(DateTimeOffset now)
    {
        while (_clients.TryPeekOldest(out var id, out var oldest) && now - oldest.LastSeen > MaxAge)
        {
            Forget(id, oldest);
            Version++;
        }
    }

    /// <summary>The clients now, for the dashboard (O(<see cref="Capacity"/>); taken only when it asks).</summary>
    public BootTrackerState Snapshot()
    {
        var clients = new Dictionary<string, ClientBoot>(_clients.Count, StringComparer.Ordinal);
        foreach (var (_, client) in _clients.NewestFirst())
        {
            clients[client.Key] = client;
        }
        return new BootTrackerState(clients);
    }

    private void ApplyDhcp(DhcpExchanged d)
    {
        if (d.Client.Length == 0)
        {
            // Dropped before any decision (hlen 0); never tracked under an empty key.
            return;
        }
        var id = BootClientId.Of(d.Client);
        var (existing, addresses) = Known(id, d.At, d.Addresses.Select(a => (BootAddress)a));
        var (stage, detail) = Next(existing, d);
        var step = d.ReplyType is null
            ? $"{d.RequestType} ({d.Mode}): not answered: {d.Detail}"
            : $"{d.RequestType} ({d.Mode}) -> {d.ReplyType} {d.Detail}";
        Put(id, existing with
        {
            Stage = stage,
            Detail = Cut(detail),
            LastSeen = d.At,
            Addresses = addresses,
            Architecture = d.Architecture ?? existing.Architecture,
            History = Append(existing.History, new BootStep(d.At, Cut(step))),
        });
    }

    private void ApplyDhcp6(Dhcp6Exchanged d)
    {
        if (d.Client.Bytes.IsEmpty)
        {
            // No Client Identifier: the responder dropped it; never tracked under an empty key.
            return;
        }
        var id = BootClientId.Of(d.Client);
        var (existing, addresses) = Known(id, d.At, d.Addresses.Select(a => (BootAddress)a));
        var given = d.BootFileUrl is null ? d.Detail : $"{d.Detail} boot file {d.BootFileUrl}";
        var (stage, detail) = Next(existing, d, given);
        var step = d.ReplyType is null
            ? $"{d.RequestType} (DHCPv6): not answered: {d.Detail}"
            : $"{d.RequestType} (DHCPv6) -> {d.ReplyType} {given}";
        Put(id, existing with
        {
            Stage = stage,
            Detail = Cut(detail),
            LastSeen = d.At,
            Addresses = addresses,
            Architecture = d.Architecture ?? existing.Architecture,
            File = d.BootFileUrl is null || stage is not (BootStage.Offered or BootStage.Acknowledged) ? existing.File : Cut(d.BootFileUrl),
            History = Append(existing.History, new BootStep(d.At, Cut(step))),
        });
    }

    /// <summary>The client as tracked (a new one when not), and its address list with <paramref name="seen"/> remembered
    /// and claimed, so transfers from them are shown on its row.</summary>
    private (ClientBoot Client, ImmutableArray<BootAddress> Addresses) Known(BootClientId id, DateTimeOffset at, IEnumerable<BootAddress> seen)
    {
        var existing = _clients.TryGetValue(id, out var known) ? known : new ClientBoot(id.Text, BootStage.Discover, "", at, at, [], []);
        var addresses = existing.Addresses;
        foreach (var address in seen)
        {
            if (!address.IsZero)
            {
                addresses = Remember(addresses, address, id);
                Claim(address, id);
            }
        }
        return (existing, addresses);
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

    /// <summary>RFC 8415 §18: SOLICIT → ADVERTISE is the offer; a REPLY that binds (to REQUEST, RENEW, REBIND, or a
    /// rapid-commit SOLICIT) is the ack; an INFORMATION-REQUEST's REPLY (boot file URL without an address) counts as the
    /// ack only for a client not further along, as INFORM does; RELEASE, DECLINE and CONFIRM leave the stage.</summary>
    private static (BootStage Stage, string Detail) Next(ClientBoot client, Dhcp6Exchanged d, string given)
    {
        if (d.ReplyType is null)
        {
            return client.Stage is BootStage.Discover or BootStage.NotAnswered && d.RequestType is "SOLICIT" or "REQUEST"
                ? (BootStage.NotAnswered, d.Detail)
                : (client.Stage, client.Detail);
        }
        return (d.ReplyType, d.RequestType) switch
        {
            ("ADVERTISE", _) => (BootStage.Offered, given),
            ("REPLY", "SOLICIT" or "REQUEST" or "RENEW" or "REBIND") => (BootStage.Acknowledged, given),
            ("REPLY", "INFORMATION-REQUEST") when client.Stage < BootStage.Acknowledged => (BootStage.Acknowledged, given),
            _ => (client.Stage, client.Detail),
        };
    }

    private void Update(BootAddress address, DateTimeOffset at, Func<ClientBoot, ClientBoot> change, string? history)
    {
        var id = _owners.TryGetValue(address, out var owner) ? owner : BootClientId.ByAddress(address);
        if (!_clients.TryGetValue(id, out var existing))
        {
            // Seen first by address (TFTP before any DHCP we saw): its own entry, merged once DHCP names its MAC.
            id = BootClientId.ByAddress(address);
            existing = _clients.TryGetValue(id, out var byAddress) ? byAddress
                : new ClientBoot(id.Text, BootStage.Transferring, "", at, at, [address], []);
            _owners[address] = id;
        }
        var updated = change(existing) with { LastSeen = at };
        if (history is not null)
        {
            updated = updated with { History = Append(existing.History, new BootStep(at, Cut(history))) };
        }
        Put(id, updated);
    }

    /// <summary><paramref name="address"/> as the newest of the list; the oldest goes beyond <see cref="MaxAddresses"/>.</summary>
    private ImmutableArray<BootAddress> Remember(ImmutableArray<BootAddress> addresses, BootAddress address, BootClientId id)
    {
        Steps += addresses.Length;
        var index = addresses.IndexOf(address);
        if (index == addresses.Length - 1 && index >= 0)
        {
            return addresses;
        }
        if (index >= 0)
        {
            return addresses.RemoveAt(index).Add(address);
        }
        if (addresses.Length >= MaxAddresses)
        {
            Release(addresses[0], id);
            addresses = addresses.RemoveAt(0);
        }
        return addresses.Add(address);
    }

    /// <summary>The address is now <paramref name="id"/>'s; an entry that knew the client only by it is merged away.</summary>
    private void Claim(BootAddress address, BootClientId id)
    {
        Steps++;
        if (_owners.TryGetValue(address, out var previous) && previous != id && previous.IsAddressOnly
            && _clients.TryGetValue(previous, out var byAddress))
        {
            Forget(previous, byAddress);
        }
        _owners[address] = id;
    }

    private void Put(BootClientId id, ClientBoot client)
    {
        if (_clients.Set(id, client, out var evicted))
        {
            // The least recently used client made room: its addresses no longer lead anywhere.
            ReleaseAll(evicted.Key, evicted.Value);
        }
    }

    private void Forget(BootClientId id, ClientBoot client)
    {
        _clients.Remove(id);
        ReleaseAll(id, client);
    }

    private void ReleaseAll(BootClientId id, ClientBoot client)
    {
        Steps++;
        foreach (var address in client.Addresses)
        {
            Release(address, id);
        }
    }

    /// <summary>Drops the index entry of <paramref name="address"/> when it still leads to <paramref name="id"/> (another
    /// client may have claimed it since).</summary>
    private void Release(BootAddress address, BootClientId id)
    {
        Steps++;
        if (_owners.TryGetValue(address, out var owner) && owner == id)
        {
            _owners.Remove(address);
        }
    }

    private static ImmutableArray<BootStep> Append(ImmutableArray<BootStep> history, BootStep step) =>
        history.Length < HistoryLength ? history.Add(step) : history.RemoveAt(0).Add(step);

    private static string Cut(string text) => text.Length <= MaxTextLength ? text : string.Concat(text.AsSpan(0, MaxTextLength - 1), "…");
}
