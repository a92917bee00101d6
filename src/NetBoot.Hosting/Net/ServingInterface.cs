using NetBoot.Configuration.Model;
using NetBoot.Engine;

namespace NetBoot.Hosting.Net;

/// <summary>The interface one listening socket serves, with the address it answers as <em>now</em>: siaddr, option 54,
/// the PXE boot-server list and next-server all come from <see cref="ArrivalInterface.Address"/>, so they follow an
/// address change. The sockets themselves are bound to the device on 0.0.0.0 (SO_BINDTODEVICE), so they survive it.
/// The answer is cached against the configuration and interface reading it came from: no per-packet allocation.</summary>
public sealed class ServingInterface(ArrivalInterface initial, InterfaceAddresses addresses)
{
    private sealed record Resolved(ServerConfig Config, InterfaceReading Reading, ArrivalInterface? Arrival);

    private Resolved? _resolved;

    public string Name => initial.Name;

    /// <summary>Raised when the address this interface answers as changes (null: none in a range's subnet).</summary>
    public event Action<ServingInterface, ArrivalInterface?>? AddressChanged;

    /// <summary>The arrival interface to decide with, or null when the interface has no address in a range's subnet
    /// (then nothing is answered there: a reply naming an address the server no longer has would strand the client).</summary>
    public ArrivalInterface? Resolve(ServerConfig config)
    {
        var reading = addresses.Current;
        var resolved = Volatile.Read(ref _resolved);
        if (resolved is not null && ReferenceEquals(resolved.Config, config) && ReferenceEquals(resolved.Reading, reading))
        {
            return resolved.Arrival;
        }
        var arrival = Compute(config, reading);
        var previous = resolved is null ? initial : resolved.Arrival;
        // Two sockets (67 and 4011) share this object: only the thread that installs the new answer reports it.
        var installed = Interlocked.CompareExchange(ref _resolved, new Resolved(config, reading, arrival), resolved) == resolved;
        if (installed && (previous?.Address != arrival?.Address || previous?.Netmask != arrival?.Netmask))
        {
            AddressChanged?.Invoke(this, arrival);
        }
        return arrival;
    }

    private Resolved? _silenceReported;

    /// <summary>True once per address state in which the interface has no serving address: the first request that
    /// goes unanswered then is logged, the rest of that period is not (a PXE ROM retries every few seconds).</summary>
    public bool ShouldReportSilence()
    {
        var resolved = Volatile.Read(ref _resolved);
        var reported = Volatile.Read(ref _silenceReported);
        return resolved is { Arrival: null } && !ReferenceEquals(resolved, reported)
            && Interlocked.CompareExchange(ref _silenceReported, resolved, reported) == reported;
    }

    private ArrivalInterface? Compute(ServerConfig config, InterfaceReading reading)
    {
        if (reading.ByIndex(initial.Index) is not { } nic
            || InterfaceSelection.ServedAs(config, nic, reading) is not { } servedAs
            || InterfaceSelection.ServingAddress(config, servedAs) is not { } served)
        {
            return null;
        }
        // A bridge-interface alias is decided as its bridge interface (its name for tags, interface= and shared-network, as
        // dnsmasq renames the arrival interface), but keeps its own index: the reply leaves by the alias.
        return served.Address == initial.Address && served.Netmask == initial.Netmask && nic.Mtu == initial.Mtu && servedAs.Name == initial.Name
            ? initial
            : initial with { Name = servedAs.Name, Address = served.Address, Netmask = served.Netmask, Mtu = nic.Mtu };
    }
}
