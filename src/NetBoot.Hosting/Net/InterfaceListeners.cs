using System.Net.Sockets;

namespace NetBoot.Hosting.Net;

/// <summary>One listener per interface a service serves, kept in step with the interface readings: opened when an
/// interface qualifies (it appeared, came up, or got an address), closed when the interface is gone (deleted, moved to
/// another namespace, or its name taken by a new interface). An interface that merely goes down or loses its address
/// keeps its listener: the sockets are bound to the device, not to an address, so they serve again the moment the address
/// is back, and the service decides per request whether it can answer (<see cref="ServingInterface"/>).
/// <para>Readings come from the start-up path and from the address watcher's thread: every update is serialised here,
/// and is idempotent, so an update that repeats what another just did changes nothing.</para></summary>
/// <param name="qualifies">Whether a listener should be opened on this interface now.</param>
/// <param name="open">Opens the listener; throws a <see cref="SocketException"/> when a socket cannot be bound, after
/// logging it when its second argument is true: once per interface, as a busy host re-reads often and the log must not
/// repeat the same failure at every reading.</param>
/// <param name="close">Stops the listener (without blocking: a receive loop ends on its own).</param>
public sealed class InterfaceListeners<TListener>(
    Func<HostInterface, bool> qualifies,
    Func<HostInterface, bool, TListener> open,
    Action<HostInterface, TListener> close)
    where TListener : class
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Name, int Index), (HostInterface Nic, TListener Listener)> _open = [];
    private readonly HashSet<(string Name, int Index)> _failed = [];
    private bool _stopped;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>The listeners open now.</summary>
    public IReadOnlyList<TListener> Listeners
    {
        get
        {
            lock (_gate)
            {
                return [.. _open.Values.Select(v => v.Listener)];
            }
        }
    }

    /// <summary>Closes the listeners of vanished interfaces and opens one on each interface that qualifies and has none.
    /// With <paramref name="throwOnFailure"/> (start-up: never half a server) a socket that cannot be bound stops
    /// everything; later, the failure is reported once and the interface tried again at the next reading.</summary>
    public void Update(InterfaceReading reading, bool throwOnFailure = false)
    {
        ArgumentNullException.ThrowIfNull(reading);
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            foreach (var (key, (nic, listener)) in _open.ToArray())
            {
                if (!reading.Has(key.Name, key.Index))
                {
                    _open.Remove(key);
                    close(nic, listener);
                }
            }
            _failed.RemoveWhere(key => !reading.Has(key.Name, key.Index));
            foreach (var nic in reading.Interfaces)
            {
                var key = (nic.Name, nic.Index);
                if (_open.ContainsKey(key) || !qualifies(nic))
                {
                    continue;
                }
                try
                {
                    _open[key] = (nic, open(nic, !_failed.Contains(key)));
                    _failed.Remove(key);
                }
                catch (SocketException) when (!throwOnFailure)
                {
                    _failed.Add(key);
                }
            }
        }
    }

    /// <summary>Closes every listener; later updates do nothing.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            foreach (var (nic, listener) in _open.Values)
            {
                close(nic, listener);
            }
            _open.Clear();
        }
    }
}
