using System.Collections.Frozen;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

/// <summary><c>pxe-service</c>, <c>pxe-prompt</c>, <c>dhcp-pxe-vendor</c> and <c>dhcp-boot</c> (<c>src/option.c</c>).</summary>
internal static class PxeParser
{
    /// <summary>dnsmasq's CSA[] table: the index is the option-93 value. dnsmasq 2.76 (commit 68bea10) swapped
    /// BC_EFI and x86-64_EFI to follow the RFC 4578 errata: x86-64_EFI = 7, BC_EFI = 9.</summary>
    internal static readonly FrozenDictionary<string, ushort> ArchitectureNames = new Dictionary<string, ushort>
    {
        ["x86PC"] = 0,
        ["PC98"] = 1,
        ["IA64_EFI"] = 2,
        ["Alpha"] = 3,
        ["Arc_x86"] = 4,
        ["Intel_Lean_Client"] = 5,
        ["IA32_EFI"] = 6,
        ["x86-64_EFI"] = 7,
        ["Xscale_EFI"] = 8,
        ["BC_EFI"] = 9,
        ["ARM32_EFI"] = 10,
        ["ARM64_EFI"] = 11,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private const string ServiceHint =
        "write pxe-service=[tag:<tag>,]<CSA>,\"<menu text>\"[,<basename>|<boot service type>][,<server>], "
        + "CSA being x86PC, X86-64_EFI, ARM64_EFI… or a number";

    /// <summary>The canonical CSA name of an architecture number, or the number itself.</summary>
    public static string ArchitectureName(ushort architecture) =>
        ArchitectureNames.FirstOrDefault(p => p.Value == architecture).Key ?? architecture.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static void ParseService(DirectiveContext d)
    {
        var fields = d.Fields();
        var filter = TagSyntax.TakeLeadingFilter(fields);
        var csaField = fields.Take();
        var menuField = fields.Take();
        if (csaField is null || menuField is null || !TryArchitecture(QuotedText.Reveal(csaField), out var architecture))
        {
            d.Error("bad pxe-service", ServiceHint);
            return;
        }
        var service = new PxeServiceConfig
        {
            Architecture = architecture,
            MenuText = QuotedText.Reveal(menuField),
            BootServerType = 0,
            Filter = filter,
            Source = d.Source,
        };
        if (fields.Take() is { } typeField)
        {
            service = WithType(d, service, QuotedText.Reveal(typeField));
            // dnsmasq parity: the rest of the line is the server, an IPv4 literal or a name resolved later.
            service = service with { Server = fields.Rest is { } server ? QuotedText.Reveal(server) : null };
        }
        d.Config.PxeServices.Add(service);
    }

    /// <summary>dnsmasq parity: all digits → integer boot server type (0 = local boot), else a basename numbered
    /// 0x8000 + n in configuration order (the static <c>boottype</c> counter).</summary>
    private static PxeServiceConfig WithType(DirectiveContext d, PxeServiceConfig service, string typeField)
    {
        if (typeField.Length > 0 && typeField.All(char.IsAsciiDigit))
        {
            return service with { BootServerType = (ushort)OptionValueEncoder.Atoi(typeField) };
        }
        var type = d.Config.NextBaseNameType;
        d.Config.NextBaseNameType = (ushort)(type + 1);
        return service with { BootServerType = type, BaseName = typeField };
    }

    private static bool TryArchitecture(string text, out ushort architecture)
    {
        if (ArchitectureNames.TryGetValue(text, out architecture))
        {
            return true;
        }
        if (text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit) && int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) <= ushort.MaxValue)
        {
            architecture = (ushort)int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            return true;
        }
        return false;
    }

    /// <summary><c>pxe-prompt=[tag:t,…]"text"[,timeout]</c>: timeout is atoi of a digits-only field stored in one byte
    /// (values above 255 wrap); absent or not a number → 255, wait for the user.</summary>
    public static void ParsePrompt(DirectiveContext d)
    {
        var fields = d.Fields();
        var filter = TagSyntax.TakeLeadingFilter(fields);
        if (fields.Take() is not { } textField)
        {
            d.Error("bad pxe-prompt", "write pxe-prompt=[tag:<tag>,]\"<prompt text>\"[,<timeout seconds>]");
            return;
        }
        byte timeout = 255;
        if (fields.Rest is { } timeoutField)
        {
            var timeoutText = QuotedText.Reveal(timeoutField);
            if (timeoutText.Length > 0 && timeoutText.All(char.IsAsciiDigit))
            {
                timeout = (byte)OptionValueEncoder.Atoi(timeoutText);
            }
            else
            {
                d.Notice(ConfigNoticeKind.Warning, $"pxe-prompt timeout '{timeoutText}' is not a number: the menu waits for the user (255)");
            }
        }
        d.Config.PxePrompts.Add(new PxePromptConfig
        {
            Text = QuotedText.Reveal(textField),
            Timeout = timeout,
            Filter = filter,
            Source = d.Source,
        });
    }

    /// <summary><c>dhcp-pxe-vendor=VENDOR[,…]</c>: replaces the default "PXEClient"; repeated lines add.</summary>
    public static void ParseVendor(DirectiveContext d)
    {
        var vendors = FieldCursor.Split(d.Value).Select(QuotedText.Reveal).Where(v => v.Length > 0).ToList();
        if (vendors.Count == 0)
        {
            d.Error("bad dhcp-pxe-vendor", "write dhcp-pxe-vendor=PXEClient[,<other prefix>…]");
            return;
        }
        d.Config.PxeVendors ??= [];
        d.Config.PxeVendors.AddRange(vendors);
    }

    /// <summary><c>dhcp-boot=[tag:t,…]FILE[,SERVERNAME[,SERVER ADDRESS|TFTP SERVERNAME]]</c>.</summary>
    public static void ParseBoot(DirectiveContext d)
    {
        var fields = d.Fields();
        var filter = TagSyntax.TakeLeadingFilter(fields);
        if (fields.Take() is not { Length: > 0 } file)
        {
            d.Error("bad dhcp-boot", "write dhcp-boot=[tag:<tag>,]<file name>[,<server name>[,<server address>]]");
            return;
        }
        var serverName = fields.Take();
        var server = fields.Rest is { } rest ? QuotedText.Reveal(rest) : null;
        d.Config.BootFiles.Add(new DhcpBootConfig
        {
            FileName = QuotedText.Reveal(file),
            ServerName = serverName is { Length: > 0 } ? QuotedText.Reveal(serverName) : null,
            ServerAddress = server is { Length: > 0 } ? server : null,
            Filter = filter,
            Source = d.Source,
        });
    }

    /// <summary>Whether a dhcp-boot or pxe-service server field is an IPv4 literal (else a name to resolve).</summary>
    public static bool IsAddressLiteral(string? server) => IPv4Address.TryParse(server, out _);
}
