using System.Collections.Immutable;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>Option 82, the relay agent information option (RFC 3046 §2.0): a list of <c>code | len | data</c>
/// sub-options added by the relay. Read without trust: a sub-option running past the option's end ends the list.</summary>
public static class RelayAgentInformation
{
    /// <summary>RFC 3046 §3.1: Agent Circuit ID (<c>dhcp-circuitid</c>).</summary>
    public const byte CircuitId = 1;

    /// <summary>RFC 3046 §3.2: Agent Remote ID (<c>dhcp-remoteid</c>).</summary>
    public const byte RemoteId = 2;

    /// <summary>RFC 3993: Subscriber-ID (<c>dhcp-subscrid</c>).</summary>
    public const byte SubscriberId = 6;

    /// <summary>RFC 5107: Server Identifier Override.</summary>
    public const byte ServerIdentifierOverride = 11;

    /// <summary>The data of the first sub-option <paramref name="code"/> of the request's option 82 (dnsmasq
    /// <c>option_find1</c> over the option's payload).</summary>
    public static bool TryGet(DhcpOptionList options, byte code, out ImmutableArray<byte> data)
    {
        data = [];
        if (!options.TryGet(DhcpOptionCode.RelayAgentInformation, out var option))
        {
            return false;
        }
        var bytes = option.AsSpan();
        var at = 0;
        while (at + 2 <= bytes.Length)
        {
            var length = bytes[at + 1];
            if (at + 2 + length > bytes.Length)
            {
                return false;
            }
            if (bytes[at] == code)
            {
                data = [.. bytes.Slice(at + 2, length)];
                return true;
            }
            at += 2 + length;
        }
        return false;
    }

    /// <summary>RFC 5107 §4: the address the relay asks the server to use as its identifier (sub-option 11, four bytes).</summary>
    public static IPv4Address? ServerIdentifierOverrideOf(DhcpOptionList options) =>
        TryGet(options, ServerIdentifierOverride, out var data) && data.Length >= 4 ? IPv4Address.FromBytes(data.AsSpan(0, 4)) : null;

    /// <summary>RFC 3046 §2.2: the server copies the relay's option 82 into its reply as the last option, so the relay
    /// can strip it and route the reply (dnsmasq keeps it verbatim at the end of the packet).</summary>
    public static DhcpMessage EchoedInto(DhcpMessage reply, DhcpMessage request)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Options.TryGet(DhcpOptionCode.RelayAgentInformation, out var option))
        {
            return reply;
        }
        return reply with { Options = reply.Options.Without(DhcpOptionCode.RelayAgentInformation).With(DhcpOptionCode.RelayAgentInformation, option.AsSpan()) };
    }
}
