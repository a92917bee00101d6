using System.Globalization;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Wire.Rendering;

/// <summary>Renders a decoded DHCP/BOOTP message (RFC 2131 §2 fields, then every option by name).</summary>
public static class DhcpMessageRenderer
{
    /// <summary>The whole message as text, for logs and tests.</summary>
    public static string Render(DhcpMessage message, bool isPxe)
    {
        var writer = new RenderWriter();
        writer.Line(Summary(message));
        writer.Nested(() => RenderBody(writer, message, isPxe));
        return writer.ToString();
    }

    /// <summary>One line: message type (or BOOTREQUEST/BOOTREPLY for plain BOOTP), xid, client.</summary>
    public static string Summary(DhcpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var kind = message.MessageType is { } type ? MessageTypeName(type) : OperationName(message.Operation) + " (BOOTP)";
        return string.Create(CultureInfo.InvariantCulture,
            $"{kind}  xid {ValueText.Hex32(message.TransactionId)}  client {ClientText(message)}");
    }

    /// <summary>The fixed fields and the options, one per line.</summary>
    /// <param name="overload">Option 52 as sent, when the message was overloaded (the decoder merges and drops it).</param>
    public static void RenderBody(RenderWriter writer, DhcpMessage message, bool isPxe, byte? overload = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        writer.Line(FieldsLine(message));
        writer.Line($"ciaddr {message.ClientAddress}  yiaddr {message.YourAddress}  siaddr {message.ServerAddress}  giaddr {message.RelayAgentAddress}");
        if (message.ServerName.Length > 0 || message.BootFileName.Length > 0)
        {
            writer.Line($"sname {ValueText.Quoted(message.ServerName)}  file {ValueText.Quoted(message.BootFileName)}");
        }
        if (!message.HasMagicCookie)
        {
            writer.Line("no magic cookie: plain BOOTP (RFC 951), no options");
            return;
        }
        if (message.Options.Count == 0)
        {
            writer.Line("options: none");
            return;
        }
        if (overload is { } value)
        {
            writer.Line($"overload {DhcpOptionRenderer.OverloadText(value)}: merged into the options below (RFC 2132 §9.3)");
        }
        writer.Line($"options ({message.Options.Count}):");
        writer.Nested(() =>
        {
            foreach (var option in message.Options)
            {
                DhcpOptionRenderer.Render(writer, option, isPxe);
            }
        });
    }

    private static string FieldsLine(DhcpMessage message)
    {
        var flags = message.IsBroadcast ? "broadcast" : "unicast";
        if ((message.Flags & 0x7FFF) != 0)
        {
            // RFC 2131 §2: the other 15 flag bits must be zero.
            flags += string.Create(CultureInfo.InvariantCulture, $" (reserved bits set: {ValueText.Hex16(message.Flags)})");
        }
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{OperationName(message.Operation)}  secs {message.SecondsElapsed}  flags {flags}");
        return message.Hops > 0 ? line + string.Create(CultureInfo.InvariantCulture, $"  hops {message.Hops}") : line;
    }

    private static string ClientText(DhcpMessage message)
    {
        if (message.HardwareType == 1 && message.HardwareAddressLength == 6)
        {
            return message.ClientHardwareAddress.ToString();
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"{message.ClientHardwareAddress} (htype {message.HardwareType}, hlen {message.HardwareAddressLength})");
    }

    public static string OperationName(BootOperation operation) => operation switch
    {
        BootOperation.BootRequest => "BOOTREQUEST",
        BootOperation.BootReply => "BOOTREPLY",
        _ => string.Create(CultureInfo.InvariantCulture, $"op {(byte)operation}"),
    };

    /// <summary>dnsmasq's log spelling: DHCPDISCOVER, DHCPOFFER, … (RFC 2132 §9.6, RFC 4388 §6.1).</summary>
    public static string MessageTypeName(DhcpMessageType type) =>
        Enum.IsDefined(type)
            ? "DHCP" + type.ToString().ToUpperInvariant()
            : string.Create(CultureInfo.InvariantCulture, $"message type {(byte)type} (unassigned)");
}
