using System.Collections.Immutable;
using System.Globalization;
using NetBoot.Wire.Pxe;

namespace NetBoot.Wire.Rendering;

/// <summary>Option 43 when it carries PXE sub-options (PXE 2.1 §2.2.5, table 2-1): each sub-option on
/// its own line, the boot menu as a list an administrator can read against the configuration.</summary>
public static class PxeVendorOptionRenderer
{
    public static void Render(RenderWriter writer, string head, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var ok = PxeVendorOptions.TryDecode(data, out var subOptions, out var error);
        writer.Line(head + "PXE, " + ValueText.Plural(subOptions.Length, "sub-option")
            + (ok ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" then damaged: {error} ({Describe(error)})")));
        writer.Aligned(4, () =>
        {
            foreach (var sub in subOptions)
            {
                RenderSubOption(writer, sub);
            }
        });
    }

    private static string Describe(PxeDecodeError error) => error switch
    {
        PxeDecodeError.TruncatedSubOption => "a sub-option's length runs past the end of option 43",
        PxeDecodeError.BadSubOptionLength => "a sub-option has a length its format does not allow",
        _ => "unknown",
    };

    private static void RenderSubOption(RenderWriter writer, PxeSubOption sub)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{(byte)sub.Code,3} {SubOptionName(sub.Code).PadRight(20)} ");
        var data = sub.Data.AsSpan();
        switch (sub.Code)
        {
            case PxeSubOptionCode.BootServers:
                RenderBootServers(writer, head, data);
                return;
            case PxeSubOptionCode.BootMenu:
                RenderBootMenu(writer, head, data);
                return;
            default:
                writer.Line(head + SubOptionValue(sub.Code, data));
                return;
        }
    }

    public static string SubOptionName(PxeSubOptionCode code) => code switch
    {
        PxeSubOptionCode.MulticastTftpAddress => "mtftp-address",
        PxeSubOptionCode.MulticastTftpClientPort => "mtftp-client-port",
        PxeSubOptionCode.MulticastTftpServerPort => "mtftp-server-port",
        PxeSubOptionCode.MulticastTftpStart => "mtftp-start-delay",
        PxeSubOptionCode.MulticastTftpDelay => "mtftp-restart-delay",
        PxeSubOptionCode.DiscoveryControl => "discovery-control",
        PxeSubOptionCode.DiscoveryMulticastAddress => "discovery-mcast-addr",
        PxeSubOptionCode.BootServers => "boot-servers",
        PxeSubOptionCode.BootMenu => "boot-menu",
        PxeSubOptionCode.MenuPrompt => "menu-prompt",
        PxeSubOptionCode.MulticastAddressAllocation => "mcast-addr-alloc",
        PxeSubOptionCode.CredentialTypes => "credential-types",
        PxeSubOptionCode.BootItem => "boot-item",
        _ => string.Create(CultureInfo.InvariantCulture, $"sub-option-{(byte)code}"),
    };

    private static string SubOptionValue(PxeSubOptionCode code, ReadOnlySpan<byte> data) => code switch
    {
        PxeSubOptionCode.MulticastTftpAddress or PxeSubOptionCode.DiscoveryMulticastAddress
            => ValueText.AddressList(data) ?? DhcpOptionRenderer.BadLength(data, "4"),
        PxeSubOptionCode.MulticastTftpClientPort or PxeSubOptionCode.MulticastTftpServerPort
            => data.Length == 2 ? ValueText.UInt16(data).ToString(CultureInfo.InvariantCulture) : DhcpOptionRenderer.BadLength(data, "2"),
        PxeSubOptionCode.MulticastTftpStart or PxeSubOptionCode.MulticastTftpDelay
            => data.Length == 1 ? ValueText.Seconds(data[0]) : DhcpOptionRenderer.BadLength(data, "1"),
        PxeSubOptionCode.DiscoveryControl
            => data.Length == 1 ? DiscoveryControlText((PxeDiscoveryControl)data[0]) : DhcpOptionRenderer.BadLength(data, "1"),
        PxeSubOptionCode.MenuPrompt => PromptText(data),
        PxeSubOptionCode.BootItem => BootItemText(data),
        _ => ValueText.TextOrHex(data),
    };

    /// <summary>Sub-option 6 bits (PXE 2.1 §2.2.5), e.g. "3 (no broadcast discovery, no multicast discovery)".</summary>
    public static string DiscoveryControlText(PxeDiscoveryControl control)
    {
        var parts = new List<string>();
        if (control.HasFlag(PxeDiscoveryControl.DisableBroadcastDiscovery))
        {
            parts.Add("no broadcast discovery");
        }
        if (control.HasFlag(PxeDiscoveryControl.DisableMulticastDiscovery))
        {
            parts.Add("no multicast discovery");
        }
        if (control.HasFlag(PxeDiscoveryControl.UseServerListOnly))
        {
            parts.Add("only servers in the boot-servers list");
        }
        if (control.HasFlag(PxeDiscoveryControl.UseBootFileFromOffer))
        {
            parts.Add("boot the file in this offer, no prompt or menu");
        }
        var unknown = (byte)control & 0xF0;
        if (unknown != 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"undefined bits 0x{unknown:x2}"));
        }
        var value = ((byte)control).ToString(CultureInfo.InvariantCulture);
        return parts.Count == 0 ? value + " (broadcast and multicast discovery allowed)" : value + " (" + string.Join(", ", parts) + ")";
    }

    /// <summary>Sub-option 10: timeout then prompt text. 255 waits for a key, 0 boots the first item at once.</summary>
    public static string PromptText(ReadOnlySpan<byte> data)
    {
        if (!PxeVendorOptions.TryReadMenuPrompt(data, out var prompt) || prompt is null)
        {
            return DhcpOptionRenderer.BadLength(data, "at least 1");
        }
        var timeout = prompt.Timeout switch
        {
            0 => "timeout 0 (first menu item at once)",
            255 => "timeout 255 (waits for a key)",
            _ => string.Create(CultureInfo.InvariantCulture, $"timeout {prompt.Timeout}s"),
        };
        return timeout + ", " + ValueText.Quoted(data[1..]);
    }

    private static string BootItemText(ReadOnlySpan<byte> data)
    {
        if (data.Length != 4)
        {
            return DhcpOptionRenderer.BadLength(data, "4 (type, layer)");
        }
        var item = new PxeBootItem(ValueText.UInt16(data), ValueText.UInt16(data[2..]));
        var layer = item.Layer & 0x7FFF;
        return string.Create(CultureInfo.InvariantCulture,
            $"type {ValueText.Hex16(item.Type)}{TypeNote(item.Type)}, layer {layer}{(item.WantsBootIntegrityServices ? " (BIS credentials requested)" : string.Empty)}");
    }

    private static void RenderBootServers(RenderWriter writer, string head, ReadOnlySpan<byte> data)
    {
        var complete = PxeVendorOptions.TryReadBootServers(data, out var servers);
        RenderList(writer, head, servers.Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"type {ValueText.Hex16(s.Type)}{TypeNote(s.Type)} -> {(s.Addresses.IsEmpty ? "(no address)" : string.Join(", ", s.Addresses))}")).ToImmutableArray(),
            "server", complete, data);
    }

    private static void RenderBootMenu(RenderWriter writer, string head, ReadOnlySpan<byte> data)
    {
        var complete = PxeVendorOptions.TryReadBootMenu(data, out var entries);
        RenderList(writer, head, entries.Select((e, i) =>
            string.Create(CultureInfo.InvariantCulture, $"{i + 1}. type {ValueText.Hex16(e.Type)}{TypeNote(e.Type)}  {ValueText.Quoted(e.Description)}")).ToImmutableArray(),
            "entry", complete, data);
    }

    private static void RenderList(RenderWriter writer, string head, ImmutableArray<string> lines, string noun, bool complete, ReadOnlySpan<byte> data)
    {
        var nouns = noun == "entry" ? (lines.Length == 1 ? "entry" : "entries") : (lines.Length == 1 ? noun : noun + "s");
        writer.Line(string.Create(CultureInfo.InvariantCulture, $"{head}{lines.Length} {nouns}")
            + (complete ? string.Empty : " then damaged (length runs past the sub-option): " + ValueText.Hex(data)));
        writer.Aligned(head.Length, () =>
        {
            foreach (var line in lines)
            {
                writer.Line(line);
            }
        });
    }

    /// <summary>Boot server types (PXE 2.1 table 2-3): 0 in a menu means boot from the local disk.</summary>
    private static string TypeNote(ushort type) => type switch
    {
        0 => " (local boot)",
        1 => " (Microsoft Windows NT boot server)",
        2 => " (Intel LCM)",
        3 => " (DOS/UNDI)",
        4 => " (NEC ESMPRO)",
        5 => " (IBM WSoD)",
        6 => " (IBM LCCM)",
        7 => " (CA Unicenter TNG)",
        8 => " (HP OpenView)",
        0xFFFF => " (PXE API test server)",
        >= 0x8000 => string.Empty,
        _ => " (reserved)",
    };
}
