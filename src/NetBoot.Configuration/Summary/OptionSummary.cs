using System.Globalization;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Pxe;

namespace NetBoot.Configuration.Summary;

/// <summary>The option part of the summary, including the options proxy clients never receive (spec §1.4).</summary>
internal static class OptionSummary
{
    public static void Render(SummaryWriter text, ServerConfig config)
    {
        text.Section("DHCP options");
        if (config.Options.IsEmpty)
        {
            text.Item("none");
        }
        foreach (var option in config.Options)
        {
            text.Item($"{Describe(option)}{ConfigSummary.Tags(option.Filter)}");
        }
        RenderNotForProxy(text, config);
    }

    // dnsmasq parity (rfc2131.c, option_filter pxemode 2): proxy replies carry 53, 54, 60, 97, option 43 built from
    // pxe-service/pxe-prompt and vendor: options, and dhcp-option-pxe options; never an ordinary dhcp-option.
    private static void RenderNotForProxy(SummaryWriter text, ServerConfig config)
    {
        var proxyRanges = config.Ranges.Where(r => r.Mode == DhcpRangeMode.Proxy).ToList();
        var missed = config.Options.Where(o => o.Directive != DhcpOptionDirective.Pxe && o.VendorClass is null).ToList();
        if (proxyRanges.Count == 0 || missed.Count == 0)
        {
            return;
        }
        text.Section($"Not sent to proxy clients ({string.Join(", ", proxyRanges.Select(r => r.Start))})");
        text.Item("proxy replies carry only dhcp-option-pxe options (and vendor: options inside option 43); these lines reach full-DHCP clients only:");
        foreach (var option in missed)
        {
            text.Item(IsServerAddressField(option)
                ? $"{ServerAddressFieldName} ({option.Source}); proxy replies carry this server's address in siaddr"
                : $"{option.Code} {DhcpOptionCatalog.NameOf(option.Code)} ({option.Source}); use dhcp-option-pxe={option.Code},... to send it to proxy clients", 2);
        }
    }

    /// <summary>dnsmasq's <c>option:server-ip-address</c> is not an option: its pseudo-code 255 (which is End on the
    /// wire) sets the <c>siaddr</c> header field, the "next server" the client loads its boot file from.</summary>
    private const string ServerAddressFieldName = "server-ip-address (siaddr, the next-server header field; not an option)";

    private static bool IsServerAddressField(DhcpOptionConfig option) =>
        option.Code == DhcpOptionCatalog.ServerIpAddressPseudoCode
        && option.VendorClass is null && option.EncapsulatingOption is null && option.VendorIdentifyingEnterprise is null;

    private static string Describe(DhcpOptionConfig option)
    {
        if (IsServerAddressField(option))
        {
            return $"{ServerAddressFieldName} = {Value(option)}";
        }
        var directive = option.Directive switch
        {
            DhcpOptionDirective.Force => "dhcp-option-force ",
            DhcpOptionDirective.Pxe => "dhcp-option-pxe ",
            _ => "",
        };
        var scope = option.VendorClass is { } vendor ? $"vendor:{(vendor.Length == 0 ? "(any)" : vendor)} sub-option "
            : option.EncapsulatingOption is { } encap ? $"encap:{encap} sub-option "
            : option.VendorIdentifyingEnterprise is { } enterprise ? $"vi-encap:{enterprise} sub-option " : "";
        var name = scope.Length == 0 ? " " + DhcpOptionCatalog.NameOf(option.Code) : PxeSubOptionName(option);
        var placeholder = option.HasServerAddressPlaceholder ? " (0.0.0.0 = this server)" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{directive}{scope}{option.Code}{name} = {Value(option)}{placeholder}{DiscoveryControlNote(option)}");
    }

    private static bool IsPxeSubOption(DhcpOptionConfig option) =>
        option.VendorClass is { } vendor && vendor.StartsWith("PXEClient", StringComparison.Ordinal);

    private static string PxeSubOptionName(DhcpOptionConfig option) =>
        IsPxeSubOption(option) && Enum.IsDefined((PxeSubOptionCode)option.Code) ? $" ({(PxeSubOptionCode)option.Code})" : "";

    // spec §1.5: the configured sub-option 6 follows the synthesized one; EDK2 keeps the last occurrence, so this one wins.
    private static string DiscoveryControlNote(DhcpOptionConfig option) =>
        IsPxeSubOption(option) && option.Code == (byte)PxeSubOptionCode.DiscoveryControl && option.Value.Length == 1
            ? $": {(PxeDiscoveryControl)option.Value[0]}, sent after NetBoot's own sub-option 6 so firmware that keeps the last one uses it"
            : "";

    private static string Value(DhcpOptionConfig option)
    {
        var bytes = option.Value;
        if (bytes.IsEmpty)
        {
            return "(empty)";
        }
        if (IsAddressList(option) && bytes.Length % 4 == 0)
        {
            return string.Join(",", bytes.Chunk(4).Select(a => Wire.Net.IPv4Address.FromBytes(a).ToString()));
        }
        var hex = string.Join(' ', bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        var isText = bytes.All(b => b is >= 0x20 and < 0x7f) && bytes.Length > 1 && !LooksNumeric(option, bytes.Length);
        return isText ? $"\"{Encoding.ASCII.GetString(bytes.AsSpan())}\"" : $"{hex} ({ConfigSummary.Plural(bytes.Length, "byte")})";
    }

    private static bool IsAddressList(DhcpOptionConfig option) =>
        option.VendorClass is null && option.EncapsulatingOption is null && option.VendorIdentifyingEnterprise is null
        && DhcpOptionCatalog.TryGetByCode(option.Code, out var info) && info.Format == DhcpOptionFormat.AddressList;

    private static bool LooksNumeric(DhcpOptionConfig option, int length) =>
        option.VendorClass is null && option.EncapsulatingOption is null
        && DhcpOptionCatalog.TryGetByCode(option.Code, out var info)
        && info.Format is DhcpOptionFormat.AddressList or DhcpOptionFormat.Integer or DhcpOptionFormat.Seconds or DhcpOptionFormat.Integer16List
        && length % Math.Max(1, info.Width) == 0;
}
