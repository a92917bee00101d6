using Microsoft.Extensions.Logging;
using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp6;

namespace NetBoot.Hosting.Dhcp6;

/// <summary>DHCPv6 log lines in dnsmasq's wording, to grep as one greps dnsmasq's:
/// <c>DHCPSOLICIT(eth0) 00:01:00:01:…</c>, <c>DHCPREPLY(eth0) 2001:db8::5 00:01:00:01:…</c>.</summary>
internal static partial class Dhcp6Log
{
    [LoggerMessage(1650, LogLevel.Information, "{MessageType}({Interface}) {Client}")]
    public static partial void Received(ILogger logger, string messageType, string @interface, string client);

    /// <summary>An ADVERTISE or REPLY: the addresses it gives (or the responder's summary when it gives none).</summary>
    [LoggerMessage(1651, LogLevel.Information, "{MessageType}({Interface}) {Addresses} {Client}")]
    public static partial void Replied(ILogger logger, string messageType, string @interface, string addresses, string client);

    [LoggerMessage(1652, LogLevel.Information, "{MessageType}({Interface}) {Client} no reply: {Reason}")]
    public static partial void NotAnswered(ILogger logger, string messageType, string @interface, string client, Dhcp6SilenceReason reason);

    /// <summary>Normal on a network with several servers (a REQUEST for another one), so not logged by default.</summary>
    [LoggerMessage(1653, LogLevel.Debug, "{MessageType}({Interface}) {Client} not for this server: {Reason}")]
    public static partial void NotForThisServer(ILogger logger, string messageType, string @interface, string client, Dhcp6SilenceReason reason);

    [LoggerMessage(1670, LogLevel.Debug, "{MessageType}({Interface}) {Client} not for this server: {Reason} (it names {Server}, this server is {ThisServer})")]
    public static partial void ForAnotherServer(ILogger logger, string messageType, string @interface, string client, Dhcp6SilenceReason reason, string server, string thisServer);

    [LoggerMessage(1671, LogLevel.Information, "{MessageType}({Interface}) {Client} no reply: {Reason} (dhcp-host {Host})")]
    public static partial void IgnoredByHost(ILogger logger, string messageType, string @interface, string client, Dhcp6SilenceReason reason, string host);

    // log-dhcp's detail lines for DHCPv6, as dnsmasq's log_tags and log6_opts write them.
    [LoggerMessage(1672, LogLevel.Information, "{TransactionId} tags: {Tags}")]
    public static partial void Tags(ILogger logger, uint transactionId, IEnumerable<string> tags);

    [LoggerMessage(1673, LogLevel.Information, "{TransactionId} {Direction} size:{Size,3} option:{Code,3} {Option}  {Value}")]
    public static partial void OptionSent(ILogger logger, uint transactionId, string direction, int size, ushort code, string option, string value);

    /// <summary><c>log-dhcp</c>: the tags the request set, then each option of the reply (IA contents nested).</summary>
    public static void Exchange(ILogger logger, Dhcp6Message request, Dhcp6Decision decision)
    {
        var xid = request.TransactionId;
        if (!decision.Tags.IsDefaultOrEmpty)
        {
            Tags(logger, xid, decision.Tags);
        }
        if (decision is Dhcp6Send send)
        {
            foreach (var line in Dhcp6OptionLogText.Lines(send.Reply.InnermostMessage.Options))
            {
                OptionSent(logger, xid, line.Direction, line.Size, line.Code, line.Name, line.Value);
            }
        }
    }

    /// <summary>A <c>Dhcp6Drop</c>'s line: event 1652, or 1653/1670 (Debug) when the message was not for this server,
    /// or 1671 with the dhcp-host line that says ignore.</summary>
    public static void Silence(ILogger logger, string messageType, string @interface, string client, Dhcp6Drop drop)
    {
        var silence = drop.Silence;
        switch (drop.Reason)
        {
            case Dhcp6DropReason.ForAnotherServer when silence.NamedServer is { } named:
                ForAnotherServer(logger, messageType, @interface, client, silence.Reason, named.ToString(), silence.ThisServer?.ToString() ?? "-");
                break;
            case Dhcp6DropReason.ForAnotherServer or Dhcp6DropReason.NotAClientMessage:
                NotForThisServer(logger, messageType, @interface, client, silence.Reason);
                break;
            case Dhcp6DropReason.IgnoredByHost when silence.Host is { } host:
                IgnoredByHost(logger, messageType, @interface, client, silence.Reason, host);
                break;
            default:
                NotAnswered(logger, messageType, @interface, client, silence.Reason);
                break;
        }
    }

    [LoggerMessage(1654, LogLevel.Warning, "malformed DHCPv6 packet from {Source} on {Interface} dropped: {Reason} (further ones are not logged for {Minutes} min)")]
    public static partial void Malformed(ILogger logger, string source, string @interface, string reason, int minutes);

    [LoggerMessage(1655, LogLevel.Error, "DHCPv6 lease for {Addresses} could not be made durable, reply not sent: {Reason}")]
    public static partial void NotDurable(ILogger logger, string addresses, string reason);

    [LoggerMessage(1656, LogLevel.Information, "DHCPv6 server DUID {Duid}")]
    public static partial void ServerDuid(ILogger logger, string duid);

    [LoggerMessage(1657, LogLevel.Warning, "no interface has a global IPv6 address on a DHCPv6 dhcp-range yet: DHCPv6 starts answering on one as soon as it has (interfaces: {Interfaces})")]
    public static partial void NoInterface(ILogger logger, string interfaces);

    [LoggerMessage(1658, LogLevel.Information, "DHCPv6 lease {Address} {Client} expired")]
    public static partial void Expired(ILogger logger, string address, string client);

    [LoggerMessage(1659, LogLevel.Error, "cannot listen for DHCPv6 on [::]:{Port}: {Reason}; {Hint}")]
    public static partial void CannotListen(ILogger logger, int port, string reason, string hint);

    [LoggerMessage(1660, LogLevel.Error, "receiving DHCPv6 failed: {Reason}; retrying")]
    public static partial void ReceiveFailed(ILogger logger, string reason);

    [LoggerMessage(1661, LogLevel.Warning, "cannot join ff02::1:2 on {Interface}: {Reason}; DHCPv6 clients there are not heard")]
    public static partial void JoinFailed(ILogger logger, string @interface, string reason);

    [LoggerMessage(1662, LogLevel.Debug, "DHCPv6 message from {Source} on {Interface} ignored: no DHCPv6 range on that interface")]
    public static partial void NotServedInterface(ILogger logger, string source, string @interface);
}
