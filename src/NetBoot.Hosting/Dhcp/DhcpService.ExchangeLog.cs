using Microsoft.Extensions.Logging;
using NetBoot.Engine;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Pxe;
using NetBoot.Hosting.Telemetry;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Rendering;

namespace NetBoot.Hosting.Dhcp;

/// <summary>The one-line exchange log: which event, with which values. Every value is a field of its own (the engine's
/// <see cref="ReplyAnswer"/> and <see cref="ProxySilence"/>/<see cref="LeaseSilence"/>, the request's message type,
/// port, option 93 and option 60), so nothing is put together as text before the call.</summary>
public sealed partial class DhcpService
{
    /// <summary>A reply, by what it answered: a proxy answer (1100/1107, or 1115/1116 on 4011 to a client with an
    /// address: dnsmasq logs the address before the MAC there), a boot-server answer (1117–1120), a lease (1300/1310) or
    /// a DHCPNAK (1314/1315).</summary>
    private void LogAnswer(bool verbose, DhcpRequest request, SendReply reply)
    {
        var message = request.Message;
        var @interface = request.Interface.Name;
        var hardware = message.ClientHardwareAddress.ToString();
        var answer = reply.Answer;
        switch (answer.Kind)
        {
            case ReplyKind.Lease:
                LogLease(verbose, message, reply, @interface, hardware);
                return;
            case ReplyKind.Nak when verbose:
                LeaseLog.NakVerbose(logger, message.TransactionId, ReplyType(reply), @interface, answer.Address.ToString(), hardware, answer.NakMessage ?? "");
                return;
            case ReplyKind.Nak:
                LeaseLog.Nak(logger, ReplyType(reply), @interface, answer.Address.ToString(), hardware, answer.NakMessage ?? "");
                return;
            case ReplyKind.BootServer:
                LogBootServerAnswer(verbose, request, reply, hardware);
                return;
            default:
                LogProxyAnswer(verbose, request, reply, hardware);
                return;
        }
    }

    private void LogLease(bool verbose, DhcpMessage message, SendReply reply, string @interface, string hardware)
    {
        var hostName = ExchangeText.OptionText(reply.Message, DhcpOptionCode.HostName) ?? "";
        var address = reply.Answer.Address.ToString();
        if (verbose)
        {
            LeaseLog.ReplyVerbose(logger, message.TransactionId, ReplyType(reply), @interface, address, hardware, hostName);
        }
        else
        {
            LeaseLog.Reply(logger, ReplyType(reply), @interface, address, hardware, hostName);
        }
    }

    private void LogProxyAnswer(bool verbose, DhcpRequest request, SendReply reply, string hardware)
    {
        var message = request.Message;
        var kind = Kind(request, reply);
        var @interface = request.Interface.Name;
        var type = ExchangeText.MessageName(message.MessageType);
        var architecture = reply.Answer.ClientArchitecture ?? 0;
        var name = ExchangeText.ArchitectureName(architecture);
        var vendorClass = ExchangeText.OptionText(message, DhcpOptionCode.VendorClassIdentifier) ?? "";
        var toAddress = request.ArrivedOnPxePort && !message.ClientAddress.IsZero;
        var address = toAddress ? message.ClientAddress.ToString() : "";
        switch (verbose, toAddress)
        {
            case (true, true):
                Log.ProxyRepliedToAddressVerbose(logger, message.TransactionId, kind, @interface, address, hardware, type, request.LocalPort, architecture, name, vendorClass);
                break;
            case (false, true):
                Log.ProxyRepliedToAddress(logger, kind, @interface, address, hardware, type, request.LocalPort, architecture, name, vendorClass);
                break;
            case (true, false):
                Log.ProxyRepliedVerbose(logger, message.TransactionId, kind, @interface, hardware, type, request.LocalPort, architecture, name, vendorClass);
                break;
            default:
                Log.ProxyReplied(logger, kind, @interface, hardware, type, request.LocalPort, architecture, name, vendorClass);
                break;
        }
    }

    private void LogBootServerAnswer(bool verbose, DhcpRequest request, SendReply reply, string hardware)
    {
        var message = request.Message;
        var kind = Kind(request, reply);
        var @interface = request.Interface.Name;
        var type = ExchangeText.MessageName(message.MessageType);
        // yiaddr: the client's address (ciaddr) as the engine answered it.
        var address = reply.Message.YourAddress.ToString();
        var file = reply.Message.BootFileName;
        var item = reply.Answer.BootItem;
        var vendorClass = ExchangeText.OptionText(message, DhcpOptionCode.VendorClassIdentifier) ?? "";
        var port = request.LocalPort;
        switch (verbose, reply.Answer.ClientArchitecture)
        {
            case (true, { } architecture):
                Log.BootServerRepliedVerbose(logger, message.TransactionId, kind, @interface, address, hardware, file, type, port,
                    architecture, ExchangeText.ArchitectureName(architecture), item.Type, item.Layer, vendorClass);
                break;
            case (false, { } architecture):
                Log.BootServerReplied(logger, kind, @interface, address, hardware, file, type, port,
                    architecture, ExchangeText.ArchitectureName(architecture), item.Type, item.Layer, vendorClass);
                break;
            case (true, null):
                Log.BootServerRepliedWithoutArchitectureVerbose(logger, message.TransactionId, kind, @interface, address, hardware, file, type, port, item.Type, item.Layer, vendorClass);
                break;
            default:
                Log.BootServerRepliedWithoutArchitecture(logger, kind, @interface, address, hardware, file, type, port, item.Type, item.Layer, vendorClass);
                break;
        }
    }

    /// <summary>dnsmasq's prefix: <c>PXE</c> on 4011 and for answers without an address, else <c>DHCP</c>.</summary>
    private static string Kind(DhcpRequest request, Decision decision) =>
        request.ArrivedOnPxePort || decision is SendReply { Message.YourAddress.IsZero: true } ? "PXE" : "DHCP";

    private static string ReplyType(SendReply reply) =>
        "DHCP" + (reply.Message.MessageType?.ToString().ToUpperInvariant() ?? "REPLY");

    /// <summary>A request left unanswered, at Information with log-dhcp (then followed by the client's vendor class, user
    /// class and tags), else at Debug: {Reason} is the engine's enum value, followed by the value it is about, if any.</summary>
    private void LogNotAnswered(bool verbose, DhcpRequest request, NoReply none)
    {
        if (!logger.IsEnabled(verbose ? LogLevel.Information : LogLevel.Debug))
        {
            return;
        }
        var message = request.Message;
        var line = new NotAnsweredLine(logger, verbose, message.TransactionId, Kind(request, none), request.Interface.Name,
            message.ClientHardwareAddress.ToString(), ExchangeText.MessageName(message.MessageType), request.LocalPort);
        switch (none)
        {
            case { Proxy: { } proxy }:
                LogProxySilence(line, message, proxy);
                break;
            case { Lease: { Reason: LeaseSilenceReason.WrongServer } lease }:
                line.ForServer(lease.Reason, lease.Address.ToString(), lease.Server.ToString());
                break;
            case { Lease: { Address.IsZero: false } lease }:
                line.ForAddress(lease.Reason, lease.Address.ToString());
                break;
            case { Lease: { } lease }:
                line.Plain(lease.Reason);
                break;
            default:
                line.Plain(none.Reason);
                break;
        }
        if (verbose)
        {
            LogRequestDetails(message, none);
        }
    }

    private static void LogProxySilence(NotAnsweredLine line, DhcpMessage message, ProxySilence silence)
    {
        switch (silence)
        {
            case { Reason: ProxySilenceReason.NotPxeVendorClass }:
                line.ForVendorClass(silence.Reason, ExchangeText.OptionText(message, DhcpOptionCode.VendorClassIdentifier) ?? "");
                break;
            case { Reason: ProxySilenceReason.UnusableHardwareAddress }:
                line.ForHardware(silence.Reason, silence.HardwareType, silence.HardwareAddressLength);
                break;
            case { Address.IsZero: false }:
                line.ForAddress(silence.Reason, silence.Address.ToString());
                break;
            case { BootItem: { } item }:
                line.ForBootItem(silence.Reason, item.Type, item.Layer);
                break;
            default:
                line.Plain(silence.Reason);
                break;
        }
    }

    /// <summary>log-dhcp's lines about the request (dnsmasq logs them for every request it handles): the client's vendor
    /// class and user class, escaped (a newline in option 60 or 77 cannot forge a line), and the tags set.</summary>
    private void LogRequestDetails(DhcpMessage request, Decision decision)
    {
        var xid = request.TransactionId;
        if (ExchangeText.OptionText(request, DhcpOptionCode.VendorClassIdentifier) is { } vendorClass)
        {
            Log.VendorClass(logger, xid, vendorClass);
        }
        if (request.Options.TryGet(DhcpOptionCode.UserClass, out var userClass))
        {
            // iPXE's RFC 3004 form "\x04iPXE" reads as "iPXE", as it did before.
            Log.UserClass(logger, xid, LogText.Escape(userClass.AsSpan().Trim((ReadOnlySpan<byte>)[4, 0])));
        }
        if (!decision.Tags.IsDefaultOrEmpty)
        {
            Log.Tags(logger, xid, decision.Tags);
        }
    }

    /// <summary>The values every no-reply line names; each method writes the event of one shape (1101/1102 and
    /// 1121–1130), the log-dhcp variant when <see cref="Verbose"/>.</summary>
    private readonly record struct NotAnsweredLine(
        ILogger Logger, bool Verbose, uint TransactionId, string Kind, string Interface, string Client, string MessageType, int Port)
    {
        public void Plain(Enum reason)
        {
            if (Verbose)
            {
                Log.NotAnsweredVerbose(Logger, TransactionId, Kind, Interface, Client, reason, MessageType, Port);
            }
            else
            {
                Log.NotAnswered(Logger, Kind, Interface, Client, reason, MessageType, Port);
            }
        }

        public void ForAddress(Enum reason, string address)
        {
            if (Verbose)
            {
                Log.NotAnsweredForAddressVerbose(Logger, TransactionId, Kind, Interface, Client, reason, address, MessageType, Port);
            }
            else
            {
                Log.NotAnsweredForAddress(Logger, Kind, Interface, Client, reason, address, MessageType, Port);
            }
        }

        public void ForServer(Enum reason, string address, string server)
        {
            if (Verbose)
            {
                Log.NotAnsweredForServerVerbose(Logger, TransactionId, Kind, Interface, Client, reason, address, server, MessageType, Port);
            }
            else
            {
                Log.NotAnsweredForServer(Logger, Kind, Interface, Client, reason, address, server, MessageType, Port);
            }
        }

        public void ForBootItem(Enum reason, ushort type, ushort layer)
        {
            if (Verbose)
            {
                Log.NotAnsweredForBootItemVerbose(Logger, TransactionId, Kind, Interface, Client, reason, type, layer, MessageType, Port);
            }
            else
            {
                Log.NotAnsweredForBootItem(Logger, Kind, Interface, Client, reason, type, layer, MessageType, Port);
            }
        }

        public void ForHardware(Enum reason, byte hardwareType, byte hardwareAddressLength)
        {
            if (Verbose)
            {
                Log.NotAnsweredForHardwareVerbose(Logger, TransactionId, Kind, Interface, Client, reason, hardwareType, hardwareAddressLength, MessageType, Port);
            }
            else
            {
                Log.NotAnsweredForHardware(Logger, Kind, Interface, Client, reason, hardwareType, hardwareAddressLength, MessageType, Port);
            }
        }

        public void ForVendorClass(Enum reason, string vendorClass)
        {
            if (Verbose)
            {
                Log.NotAnsweredForVendorClassVerbose(Logger, TransactionId, Kind, Interface, Client, reason, vendorClass, MessageType, Port);
            }
            else
            {
                Log.NotAnsweredForVendorClass(Logger, Kind, Interface, Client, reason, vendorClass, MessageType, Port);
            }
        }
    }
}
