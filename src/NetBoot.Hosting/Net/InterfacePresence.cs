using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Telemetry;

namespace NetBoot.Hosting.Net;

/// <summary>What to do at start about <c>interface=</c> names the kernel does not have, as dnsmasq does:
/// under <c>bind-interfaces</c> it is fatal ("unknown interface X"); otherwise a warning, and the interface is served as
/// soon as it appears (dnsmasq's default mode listens on the wildcard address and filters, so a later interface is served;
/// <c>bind-dynamic</c> binds it when it appears).</summary>
public static class InterfacePresence
{
    /// <summary>The start-up failure under <c>bind-interfaces</c> (null when every named interface exists, or when the
    /// mode waits: then each missing one is logged as awaited).</summary>
    public static string? Check(InterfaceConfig config, InterfaceReading reading, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(reading);
        var missing = InterfacePolicy.Missing(config, reading.Interfaces);
        if (missing.IsEmpty)
        {
            return null;
        }
        var binding = InterfacePolicy.BindingOf(config);
        if (binding == InterfaceBinding.Interfaces)
        {
            return $"unknown interface {string.Join(", ", missing)} (bind-interfaces listens only on interfaces present at start; "
                + $"interfaces: {string.Join(", ", reading.Interfaces.Select(n => n.Name))}); "
                + "create it first, or use bind-dynamic to wait for it";
        }
        foreach (var name in missing)
        {
            RuntimeLog.WaitingForInterface(logger, name, binding == InterfaceBinding.Dynamic ? "bind-dynamic" : "interface= without bind-interfaces");
        }
        return null;
    }

    /// <summary>Under <c>bind-interfaces</c>, says once for each allowed interface that appears after start that it is
    /// not served (the reason is not obvious from a silent server). Dispose to stop watching.</summary>
    public static IDisposable ReportUnfollowed(InterfaceConfig config, InterfaceAddresses addresses, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(addresses);
        var policy = InterfacePolicy.Create(config, addresses.Initial);
        return new UnfollowedReport(policy, addresses, logger);
    }

    private sealed class UnfollowedReport : IDisposable
    {
        private readonly InterfacePolicy _policy;
        private readonly InterfaceAddresses _addresses;
        private readonly ILogger _logger;
        private readonly HashSet<string> _reported = [];
        private readonly Lock _gate = new();

        public UnfollowedReport(InterfacePolicy policy, InterfaceAddresses addresses, ILogger logger)
        {
            _policy = policy;
            _addresses = addresses;
            _logger = logger;
            if (!policy.FollowsNewInterfaces)
            {
                addresses.Changed += OnChanged;
            }
        }

        private void OnChanged(InterfaceReading reading)
        {
            lock (_gate)
            {
                foreach (var nic in reading.Interfaces)
                {
                    if (!_policy.IsCandidate(nic) && _policy.Config.Allows(nic.Name) && !nic.IsLoopback && _reported.Add(nic.Name))
                    {
                        RuntimeLog.NotFollowingNewInterface(_logger, nic.Name);
                    }
                }
            }
        }

        public void Dispose() => _addresses.Changed -= OnChanged;
    }
}
