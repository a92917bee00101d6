using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Leases;
using NetBoot.Engine.Pxe;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Engine;

/// <summary>Entry point of the DHCP-side decisions: picks the responder for a request (proxy offer on 67,
/// boot server on 4011, full DHCP on the networks NetBoot owns) and returns its decision.</summary>
public static class DhcpEngine
{
    /// <summary>Full entry point: proxy ranges go to the PXE responders as before; a request on a network with an owned
    /// range (a <c>dhcp-range</c> without <c>proxy</c>) goes to the full DHCP responder, which reads
    /// <paramref name="leases"/> and returns the lease change to persist with its reply. <paramref name="poolFull"/>:
    /// what earlier outcomes said of full ranges (<see cref="DhcpOutcome.PoolFull"/>), kept by the host.</summary>
    public static DhcpOutcome Decide(DhcpRequest request, ServerConfig config, ILeaseView leases, DateTimeOffset now, PoolFullNotes? poolFull = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(leases);
        if (request.ArrivedOnPxePort || Malformed(request.Message) is not null || !config.Interfaces.Allows(request.Interface.Name))
        {
            return new DhcpOutcome(Decide(request, request.ArrivedOnPxePort ? AsProxyOnPxePort(config) : config));
        }
        var message = WithoutStrayClientAddress(request.Message);
        var ranges = RangeSelector.Select(message, request.Interface, config);
        // dnsmasq: BOOTP (no option 53) is served on owned ranges (dhcp-host addresses, bootp-dynamic), never by a proxy.
        if (!ranges.Any(r => !r.IsProxy) || (message.MessageType is null && PxeClientInfo.TryRead(message.Options, config.PxeVendors, out _)))
        {
            return new DhcpOutcome(Decide(request, config));
        }
        // Both kinds on one network: a PXE DISCOVER that matches no owned range still falls to the proxy rules.
        var classification = ClientClassifier.Classify(message, request.Interface, config, [.. ranges.Where(r => !r.IsProxy)]);
        var outcome = FullDhcpResponder.Respond(request with { Message = message }, config, classification, ranges, leases, now, poolFull);
        if (outcome.Decision is NoReply { Reason: NoReplyReason.NoMatchingRange } && ranges.Any(r => r.IsProxy))
        {
            return new DhcpOutcome(Decide(request, config));
        }
        return outcome;
    }

    /// <summary>dnsmasq answers port 4011 for clients of any range; the PXE responders look for a proxy range, so a request
    /// on 4011 from a network NetBoot owns sees that network's ranges as proxy ranges.</summary>
    private static ServerConfig AsProxyOnPxePort(ServerConfig config) =>
        config.Ranges.All(r => r.Mode == DhcpRangeMode.Proxy)
            ? config
            : config with { Ranges = [.. config.Ranges.Select(r => r with { Mode = DhcpRangeMode.Proxy })] };

    /// <summary>The proxy path without a lease view: proxy offers on 67 and the boot server on 4011. A request on a
    /// network with only owned ranges gets no reply here (the full-DHCP overload serves it, BOOTP included).</summary>
    public static Decision Decide(DhcpRequest request, ServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(config);
        if (Malformed(request.Message) is { } malformed)
        {
            return malformed;
        }
        if (!config.Interfaces.Allows(request.Interface.Name))
        {
            return NoReply.Of(new ProxySilence(ProxySilenceReason.InterfaceNotServed));
        }

        request = request with { Message = WithoutStrayClientAddress(request.Message) };
        var message = request.Message;
        var ranges = RangeSelector.Select(message, request.Interface, config);
        if (ranges.IsEmpty)
        {
            // dnsmasq: "no address range available for DHCP request via eth0" (or via the relay's address).
            return NoReply.Of(new ProxySilence(ProxySilenceReason.NoRangeForNetwork, message.RelayAgentAddress));
        }

        var classification = ClientClassifier.Classify(message, request.Interface, config);
        var tags = classification.Tags.Names;
        if (message.MessageType is null)
        {
            // dnsmasq: BOOTP needs an address, which a proxy does not give (owned ranges serve it: FullDhcpResponder.Bootp).
            return NoReply.Of(new ProxySilence(ProxySilenceReason.BootpNotProxied), tags);
        }
        if (!PxeClientInfo.TryRead(message.Options, config.PxeVendors, out var pxe))
        {
            var reason = message.Options.Contains(DhcpOptionCode.VendorClassIdentifier) ? ProxySilenceReason.NotPxeVendorClass : ProxySilenceReason.NoVendorClass;
            return NoReply.Of(new ProxySilence(reason), tags);
        }
        if (!config.IsPxeEnabled)
        {
            // CHANGELOG 2.51: no PXE processing at all unless a pxe-service or pxe-prompt is configured.
            return NoReply.Of(new ProxySilence(ProxySilenceReason.PxeNotEnabled), tags);
        }

        // PXE 2.1 §2.2.5: a request naming a boot item (43/71) is for the boot server, on 67 as well as on 4011.
        return BootServerResponder.IsBootServerRequest(message)
            ? BootServerResponder.Respond(request, config, classification, pxe, ranges)
            : ProxyDhcpResponder.Respond(request, config, classification, pxe, ranges);
    }

    private static NoReply? Malformed(DhcpMessage message)
    {
        if (message.Operation != BootOperation.BootRequest)
        {
            return NoReply.Of(new ProxySilence(ProxySilenceReason.BootReply));
        }
        if (ClientIdentity.Malformation(message.HardwareType, message.HardwareAddressLength) is not null)
        {
            return NoReply.Of(new ProxySilence(ProxySilenceReason.UnusableHardwareAddress,
                HardwareType: message.HardwareType, HardwareAddressLength: message.HardwareAddressLength));
        }
        return null;
    }

    /// <summary>dnsmasq: "some buggy clients set ciaddr when they shouldn't": ignore it in a DHCPDISCOVER or when the
    /// client asks for an address (option 50), since it would steer the choice of range.</summary>
    private static DhcpMessage WithoutStrayClientAddress(DhcpMessage message) =>
        message.MessageType == DhcpMessageType.Discover || message.Options.Contains(DhcpOptionCode.RequestedIPAddress)
            ? message with { ClientAddress = default }
            : message;
}
