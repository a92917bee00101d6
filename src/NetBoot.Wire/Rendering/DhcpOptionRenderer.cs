using System.Globalization;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Wire.Rendering;

/// <summary>Renders one DHCP option as <c>code name: value</c>, decoding the value by the option's
/// catalogue format (<see cref="DhcpOptionCatalog"/>) or, for the structured options, by its RFC.
/// A value that does not fit its format is shown as hex with the reason, never dropped.</summary>
public static class DhcpOptionRenderer
{
    private const int NameWidth = 22;

    /// <param name="isPxe">Whether option 43 carries PXE sub-options (option 60 "PXEClient", or a reply to such a client).</param>
    public static void Render(RenderWriter writer, DhcpOption option, bool isPxe)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var code = (byte)option.Code;
        var data = option.Data.AsMemory();
        var head = Head(code);
        switch (option.Code)
        {
            case DhcpOptionCode.VendorSpecificInformation when isPxe:
                PxeVendorOptionRenderer.Render(writer, head, data.Span);
                return;
            case DhcpOptionCode.RelayAgentInformation:
                RelayAgentInformationRenderer.Render(writer, head, data.Span);
                return;
            case DhcpOptionCode.UserClass:
                UserClassRenderer.Render(writer, head, data.Span);
                return;
            case DhcpOptionCode.EtherbootEncapsulated:
                EtherbootOptionRenderer.Render(writer, head, data.Span);
                return;
            case DhcpOptionCode.ParameterRequestList:
                RenderParameterRequestList(writer, head, data.Span);
                return;
            default:
                break;
        }
        var value = SpecialValue(option.Code, data.Span) ?? FormatValue(code, data.Span);
        if (value is not null)
        {
            writer.Line(head + value);
            return;
        }
        RenderHex(writer, head, data);
    }

    /// <summary><c>" 53 message-type        : "</c>: the code right-aligned, the catalogue name padded.</summary>
    public static string Head(byte code) =>
        string.Create(CultureInfo.InvariantCulture, $"{code,3} {DhcpOptionCatalog.NameOf(code).PadRight(NameWidth)} ");

    /// <summary>Short inline hex, or a hex block of 16-byte lines for long values.</summary>
    public static void RenderHex(RenderWriter writer, string head, ReadOnlyMemory<byte> data, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var prefix = note is null ? string.Empty : note + ": ";
        if (data.Length <= 16)
        {
            writer.Line(head + prefix + ValueText.Hex(data.Span));
            return;
        }
        writer.Line(head + prefix + ValueText.Plural(data.Length, "byte"));
        writer.Aligned(head.Length, () =>
        {
            foreach (var line in ValueText.HexLines(data))
            {
                writer.Line(line);
            }
        });
    }

    /// <summary>Options whose meaning is more than their catalogue format: message type, overload,
    /// client identity options, architecture, routes.</summary>
    private static string? SpecialValue(DhcpOptionCode code, ReadOnlySpan<byte> data) => code switch
    {
        DhcpOptionCode.DhcpMessageType when data.Length == 1 => DhcpMessageRenderer.MessageTypeName((DhcpMessageType)data[0]),
        DhcpOptionCode.OptionOverload when data.Length == 1 => OverloadText(data[0]),
        DhcpOptionCode.ClientIdentifier => ClientIdentityText.ClientIdentifier(data),
        DhcpOptionCode.ClientMachineIdentifier => ClientIdentityText.MachineIdentifier(data),
        DhcpOptionCode.ClientNetworkInterfaceIdentifier => ClientIdentityText.NetworkInterfaceIdentifier(data),
        DhcpOptionCode.ClientSystemArchitecture => ClientIdentityText.Architectures(data),
        DhcpOptionCode.ClientFqdn => ClientIdentityText.Fqdn(data),
        DhcpOptionCode.StaticRoute => RouteText.StaticRoutes(data),
        DhcpOptionCode.ClasslessStaticRoute => RouteText.ClasslessRoutes(data),
        DhcpOptionCode.DomainSearch => DomainNameText.NameList(data),
        DhcpOptionCode.SipServers => DomainNameText.SipServers(data),
        DhcpOptionCode.VendorIdentifyingVendorSpecificInformation => VendorIdentifyingText(data, SubOptionsText),
        DhcpOptionCode.VendorIdentifyingVendorClass => VendorIdentifyingText(data, InstancesText),
        // RFC 4388 §6.1: seconds since the client last talked to the server, and the client's addresses.
        DhcpOptionCode.ClientLastTransactionTime when data.Length == 4 => ValueText.Seconds(ValueText.UInt32(data)) + " ago",
        DhcpOptionCode.AssociatedIP => ValueText.AddressList(data),
        DhcpOptionCode.RapidCommit when data.IsEmpty => "(present)",
        _ => null,
    };

    /// <summary>The value by the catalogue's format; null when it does not fit (the caller shows hex).</summary>
    public static string? FormatValue(byte code, ReadOnlySpan<byte> data)
    {
        if (!DhcpOptionCatalog.TryGetByCode(code, out var info))
        {
            return UnknownValue(data);
        }
        return info.Format switch
        {
            DhcpOptionFormat.AddressList => ValueText.AddressList(data) ?? BadLength(data, "a multiple of 4"),
            DhcpOptionFormat.Text or DhcpOptionFormat.DomainNames => data.IsEmpty ? "(empty)" : ValueText.Quoted(ValueText.TrimTrailingNuls(data)),
            DhcpOptionFormat.Integer => IntegerText(data, info.Width),
            DhcpOptionFormat.Seconds => data.Length == 4 ? ValueText.Seconds(ValueText.UInt32(data)) : BadLength(data, "4"),
            DhcpOptionFormat.Integer16List => ClientIdentityText.Architectures(data),
            DhcpOptionFormat.CodeList => string.Join(", ", data.ToArray().Select(b => DhcpOptionCatalog.NameOf(b))),
            _ => UnknownValue(data),
        };
    }

    private static string? UnknownValue(ReadOnlySpan<byte> data) =>
        ValueText.IsPrintable(data) ? ValueText.Quoted(ValueText.TrimTrailingNuls(data)) : null;

    private static string IntegerText(ReadOnlySpan<byte> data, int width)
    {
        if (data.Length != width)
        {
            return BadLength(data, width.ToString(CultureInfo.InvariantCulture));
        }
        return width switch
        {
            1 => data[0].ToString(CultureInfo.InvariantCulture),
            2 => ValueText.UInt16(data).ToString(CultureInfo.InvariantCulture),
            // RFC 2132 §3.4: the time offset is a signed 32-bit number of seconds east of UTC.
            4 => ((int)ValueText.UInt32(data)).ToString(CultureInfo.InvariantCulture),
            _ => ValueText.Hex(data),
        };
    }

    /// <summary>A value whose length its format does not allow, shown with what was expected.</summary>
    public static string BadLength(ReadOnlySpan<byte> data, string expected) =>
        string.Create(CultureInfo.InvariantCulture, $"malformed: {ValueText.Plural(data.Length, "byte")}, expected {expected}: {ValueText.Hex(data)}");

    // RFC 2132 §9.3: 1 = file holds options, 2 = sname holds options, 3 = both.
    public static string OverloadText(byte value) => value switch
    {
        1 => "1 (options continue in the file field)",
        2 => "2 (options continue in the sname field)",
        3 => "3 (options continue in the file and sname fields)",
        _ => string.Create(CultureInfo.InvariantCulture, $"{value} (invalid; RFC 2132 allows 1, 2 or 3)"),
    };

    private static void RenderParameterRequestList(RenderWriter writer, string head, ReadOnlySpan<byte> data)
    {
        writer.Line(head + ValueText.Plural(data.Length, "option"));
        var names = data.ToArray().Select(b => string.Create(CultureInfo.InvariantCulture, $"{b} {DhcpOptionCatalog.NameOf(b)}")).ToList();
        writer.Aligned(head.Length, () =>
        {
            // Several per line keeps a 40-entry list readable without a screen of one-word lines.
            for (var i = 0; i < names.Count; i += 4)
            {
                writer.Line(string.Join(", ", names.Skip(i).Take(4)));
            }
        });
    }

    // RFC 3925 §3/§4: enterprise-number(4) | data-len(1) | data, repeated.
    private delegate string? EnterpriseDataText(ReadOnlySpan<byte> data);

    private static string? VendorIdentifyingText(ReadOnlySpan<byte> data, EnterpriseDataText dataText)
    {
        var parts = new List<string>();
        var i = 0;
        while (i + 5 <= data.Length)
        {
            var enterprise = ValueText.UInt32(data[i..]);
            var length = data[i + 4];
            if (i + 5 + length > data.Length)
            {
                return null;
            }
            var chunk = data.Slice(i + 5, length);
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"enterprise {enterprise}: {dataText(chunk) ?? ValueText.TextOrHex(chunk)}"));
            i += 5 + length;
        }
        return i == data.Length && parts.Count > 0 ? string.Join("; ", parts) : null;
    }

    /// <summary>RFC 3925 §4: option 125's data is <c>code | len | data</c> sub-options.</summary>
    private static string? SubOptionsText(ReadOnlySpan<byte> data)
    {
        var parts = new List<string>();
        var i = 0;
        while (i < data.Length)
        {
            if (i + 2 > data.Length || i + 2 + data[i + 1] > data.Length)
            {
                return null;
            }
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{data[i]}={ValueText.TextOrHex(data.Slice(i + 2, data[i + 1]))}"));
            i += 2 + data[i + 1];
        }
        return parts.Count > 0 ? string.Join(' ', parts) : null;
    }

    /// <summary>RFC 3925 §3: option 124's data is <c>len | data</c> vendor class instances.</summary>
    private static string? InstancesText(ReadOnlySpan<byte> data) =>
        UserClassRenderer.TryReadInstances(data, out var instances) ? string.Join(", ", instances) : null;
}
