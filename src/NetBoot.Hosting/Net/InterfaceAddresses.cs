using System.Collections.Immutable;
using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;
using NetBoot.Hosting.Telemetry;

namespace NetBoot.Hosting.Net;

/// <summary>One reading of the host's interfaces. A new object on every change, so a reader can tell by reference
/// whether what it derived from the previous reading is still valid.</summary>
public sealed record InterfaceReading(ImmutableArray<HostInterface> Interfaces)
{
    public HostInterface? ByIndex(int index)
    {
        foreach (var nic in Interfaces)
        {
            if (nic.Index == index)
            {
                return nic;
            }
        }
        return null;
    }

    /// <summary>True while the kernel still has this very interface (same name, same index).</summary>
    public bool Has(string name, int index)
    {
        foreach (var nic in Interfaces)
        {
            if (nic.Index == index && nic.Name == name)
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>The host's interfaces and their IPv4 addresses, kept current while the server runs, so that a server whose
/// own address is assigned by another DHCP server answers with its new address without a restart, and interfaces that
/// appear, come up or get an address after start are served (and those that vanish are let go).
/// <para>Change notification comes from <see cref="NetworkChange"/>, which on Linux is a netlink socket subscribed to
/// RTMGRP_IPV4_IFADDR and RTMGRP_LINK (the BCL's own, AOT-safe, no privilege needed): an address added or removed raises
/// <see cref="NetworkChange.NetworkAddressChanged"/> at once; a link created, brought up or down raises
/// <see cref="NetworkChange.NetworkAvailabilityChanged"/> after the BCL's 150 ms coalescing window. The events carry
/// nothing we use: every event re-reads the whole state (getifaddrs, <see cref="HostInterface.ReadAll"/>), so coalesced
/// or reordered notifications still end in the true state.</para></summary>
public sealed class InterfaceAddresses : IDisposable
{
    private readonly ILogger? _logger;
    private readonly Func<ImmutableArray<HostInterface>> _read;
    private readonly Lock _refreshing = new();
    private InterfaceReading _current;
    private InterfaceReading _initial;
    private bool _watching;

    private InterfaceAddresses(ImmutableArray<HostInterface> initial, Func<ImmutableArray<HostInterface>> read, ILogger? logger)
    {
        _current = _initial = new InterfaceReading(initial);
        _read = read;
        _logger = logger;
    }

    public InterfaceReading Current => Volatile.Read(ref _current);

    /// <summary>The reading at start-up: what <c>bind-interfaces</c> binds, once and for all.</summary>
    public InterfaceReading Initial => Volatile.Read(ref _initial);

    /// <summary>Raised (on the notifying thread) after <see cref="Current"/> changed.</summary>
    public event Action<InterfaceReading>? Changed;

    /// <summary>A fixed set of interfaces (tests, and services started with an explicit list).</summary>
    public static InterfaceAddresses Fixed(ImmutableArray<HostInterface> interfaces) => new(interfaces, () => interfaces, null);

    /// <summary>Interfaces read by <paramref name="read"/>, now and on each <see cref="Refresh"/> (tests drive it by hand).</summary>
    public static InterfaceAddresses FromReader(Func<ImmutableArray<HostInterface>> read, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(read);
        return new InterfaceAddresses(read(), read, logger);
    }

    /// <summary>Subscribes to changes first, then reads the interfaces, so no change between the two is missed. Every
    /// interface is read, up or down, with or without an address: each service selects what it serves.</summary>
    public static InterfaceAddresses Watch(ILogger logger)
    {
        var watcher = new InterfaceAddresses([], HostInterface.ReadAll, logger);
        try
        {
            NetworkChange.NetworkAddressChanged += watcher.OnAddressChanged;
            NetworkChange.NetworkAvailabilityChanged += watcher.OnLinkChanged;
            watcher._watching = true;
        }
        catch (Exception e) when (e is NetworkInformationException or System.Net.Sockets.SocketException or PlatformNotSupportedException)
        {
            // No netlink (a sandbox without AF_NETLINK): serve with the start-up interfaces, and say so.
            RuntimeLog.AddressWatchUnavailable(logger, e.Message);
        }
        var first = new InterfaceReading(HostInterface.ReadAll());
        Volatile.Write(ref watcher._current, first);
        Volatile.Write(ref watcher._initial, first);
        return watcher;
    }

    private void OnAddressChanged(object? sender, EventArgs e) => Refresh();

    /// <summary>A link appeared, went up or down (RTM_NEWLINK), or a route changed: the BCL reports these as availability.</summary>
    private void OnLinkChanged(object? sender, NetworkAvailabilityEventArgs e) => Refresh();

    /// <summary>Re-reads the interfaces; logs each interface whose addresses differ and raises <see cref="Changed"/>.</summary>
    public void Refresh()
    {
        InterfaceReading next;
        lock (_refreshing)
        {
            ImmutableArray<HostInterface> read;
            try
            {
                read = _read();
            }
            catch (NetworkInformationException e)
            {
                if (_logger is not null)
                {
                    RuntimeLog.AddressRefreshFailed(_logger, e.Message);
                }
                return;
            }
            var previous = Current;
            if (IsSame(previous.Interfaces, read))
            {
                return;
            }
            next = new InterfaceReading(read);
            Volatile.Write(ref _current, next);
            if (_logger is not null)
            {
                Report(_logger, previous.Interfaces, read);
            }
        }
        Notify(next);
    }

    /// <summary>Each subscriber in turn. This runs on the BCL's netlink thread: an exception escaping here would end the
    /// process, and one service's bug must not stop the others from following the change, so it is logged loudly.</summary>
    private void Notify(InterfaceReading next)
    {
        if (Changed is not { } changed)
        {
            return;
        }
        foreach (var subscriber in changed.GetInvocationList().Cast<Action<InterfaceReading>>())
        {
            try
            {
                subscriber(next);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (_logger is null)
                {
                    throw;
                }
                RuntimeLog.ChangeHandlerFailed(_logger, e);
            }
        }
    }

    /// <summary>One line per interface that vanished (deleted, or moved to another namespace) and one per interface whose
    /// addresses changed; an interface that only went up or down is not worth a line (its services say what they do).</summary>
    private static void Report(ILogger logger, ImmutableArray<HostInterface> before, ImmutableArray<HostInterface> after)
    {
        var gone = Vanished(before, after);
        foreach (var nic in gone)
        {
            RuntimeLog.InterfaceGone(logger, nic.Name, Describe(nic));
        }
        foreach (var (name, old, now) in Differences(before, after))
        {
            if (!gone.Any(n => n.Name == name) || after.Any(n => n.Name == name))
            {
                RuntimeLog.AddressesChanged(logger, name, old, now);
            }
        }
    }

    /// <summary>Interfaces of <paramref name="before"/> that the kernel no longer has: no interface with that name and
    /// index (a new interface that took the name is another one: sockets bound to the old one are dead).</summary>
    public static ImmutableArray<HostInterface> Vanished(ImmutableArray<HostInterface> before, ImmutableArray<HostInterface> after) =>
        [.. before.Where(old => !after.Any(now => now.Name == old.Name && now.Index == old.Index))];

    private static bool IsSame(ImmutableArray<HostInterface> before, ImmutableArray<HostInterface> after)
    {
        if (before.Length != after.Length)
        {
            return false;
        }
        for (var i = 0; i < before.Length; i++)
        {
            if (!before[i].IsSameAs(after[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Interfaces whose IPv4 addresses (with prefix) differ between two readings, as text for the log.</summary>
    public static ImmutableArray<(string Name, string Before, string After)> Differences(
        ImmutableArray<HostInterface> before, ImmutableArray<HostInterface> after)
    {
        var names = before.Select(n => n.Name).Concat(after.Select(n => n.Name)).Distinct(StringComparer.Ordinal);
        var changes = ImmutableArray.CreateBuilder<(string, string, string)>();
        foreach (var name in names)
        {
            var old = Describe(before.FirstOrDefault(n => n.Name == name));
            var now = Describe(after.FirstOrDefault(n => n.Name == name));
            if (old != now)
            {
                changes.Add((name, old, now));
            }
        }
        return changes.ToImmutable();
    }

    private static string Describe(HostInterface? nic) =>
        nic is null || nic.Addresses.IsEmpty
            ? "none"
            : string.Join(' ', nic.Addresses.Select(a => $"{a.Address}/{PrefixLength(a.Netmask)}"));

    private static int PrefixLength(Wire.Net.IPv4Address netmask) => System.Numerics.BitOperations.PopCount(netmask.Value);

    public void Dispose()
    {
        if (_watching)
        {
            NetworkChange.NetworkAddressChanged -= OnAddressChanged;
            NetworkChange.NetworkAvailabilityChanged -= OnLinkChanged;
            _watching = false;
        }
    }
}
