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
}

/// <summary>The host's interfaces and their IPv4 addresses, kept current while the server runs, so that a server whose
/// own address is assigned by another DHCP server answers with its new address without a restart.
/// <para>Change notification comes from <see cref="NetworkChange.NetworkAddressChanged"/>, which on Linux is a
/// netlink socket subscribed to RTMGRP_IPV4_IFADDR/RTMGRP_LINK (the BCL's own, AOT-safe, no privilege needed, no
/// polling delay). The event carries nothing we use: every event re-reads the whole state (getifaddrs through
/// <see cref="HostInterface.Enumerate"/>), so coalesced or reordered notifications still end in the true state.</para></summary>
public sealed class InterfaceAddresses : IDisposable
{
    private readonly ILogger? _logger;
    private readonly Func<ImmutableArray<HostInterface>> _read;
    private readonly Lock _refreshing = new();
    private InterfaceReading _current;
    private bool _watching;

    private InterfaceAddresses(ImmutableArray<HostInterface> initial, Func<ImmutableArray<HostInterface>> read, ILogger? logger)
    {
        _current = new InterfaceReading(initial);
        _read = read;
        _logger = logger;
    }

    public InterfaceReading Current => Volatile.Read(ref _current);

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

    /// <summary>Subscribes to address changes first, then reads the interfaces, so no change between the two is missed.</summary>
    public static InterfaceAddresses Watch(ILogger logger)
    {
        var watcher = new InterfaceAddresses([], HostInterface.Enumerate, logger);
        try
        {
            NetworkChange.NetworkAddressChanged += watcher.OnAddressChanged;
            watcher._watching = true;
        }
        catch (Exception e) when (e is NetworkInformationException or System.Net.Sockets.SocketException or PlatformNotSupportedException)
        {
            // No netlink (a sandbox without AF_NETLINK): serve with the start-up addresses, and say so.
            RuntimeLog.AddressWatchUnavailable(logger, e.Message);
        }
        Volatile.Write(ref watcher._current, new InterfaceReading(HostInterface.Enumerate()));
        return watcher;
    }

    private void OnAddressChanged(object? sender, EventArgs e) => Refresh();

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
            var changes = Differences(previous.Interfaces, read);
            if (changes.IsEmpty)
            {
                return;
            }
            next = new InterfaceReading(read);
            Volatile.Write(ref _current, next);
            if (_logger is not null)
            {
                foreach (var (name, before, after) in changes)
                {
                    RuntimeLog.AddressesChanged(_logger, name, before, after);
                }
            }
        }
        Changed?.Invoke(next);
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
            _watching = false;
        }
    }
}
