using CsCheck;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Fuzz.Tests;

/// <summary>The configuration reader on broken text: every input yields a configuration or errors with a line
/// number inside the text, never an exception.</summary>
public class ConfigurationFuzzTests
{
    private static readonly string[] Directives =
    [
        "dhcp-range", "dhcp-host", "dhcp-option", "dhcp-option-force", "dhcp-option-pxe", "dhcp-boot", "pxe-service",
        "pxe-prompt", "dhcp-match", "dhcp-vendorclass", "dhcp-userclass", "dhcp-mac", "tag-if", "dhcp-ignore",
        "enable-tftp", "tftp-root", "tftp-max", "tftp-port-range", "interface", "listen-address", "port", "log-dhcp",
        "dhcp-no-override", "dhcp-lease-max", "dhcp-pxe-vendor", "dhcp-reply-delay", "conf-file", "no-such-directive",
        "dhcp-relay", "shared-network", "dhcp-proxy", "dhcp-name-match", "dhcp-broadcast", "dhcp-circuitid",
    ];

    private static readonly Gen<string> Field = Gen.OneOf(
        Gen.OneOfConst("tag:", "set:", "vendor:PXEClient", "encap:175", "option:root-path", "proxy", "static", "infinite", "x86PC",
            "X86-64_EFI", "\"Boot\"", "pxelinux", "0", "2b", "65536", "-1", "10.0.0.0", "10.0.0.1", "255.255.255.0", "1.2.3",
            "aa:bb:cc:dd:ee:ff", "id:*", "01:02:*", "8h", "\"unterminated", "\\\"", "tag:!known", "e0", "", " "),
        Gen.String[Gen.Char.AlphaNumeric, 0, 8]);

    private static readonly Gen<string> Line = Gen.OneOf(
        Gen.Select(Gen.OneOfConst(Directives), Field.Array[0, 6]).Select((name, fields) => $"{name}={string.Join(',', fields)}"),
        Gen.OneOfConst(Directives),
        Gen.OneOfConst("# comment", "", "   ", "=", "==,,"),
        Gen.String[0, 40]);

    [Fact]
    public void Reader_returns_a_configuration_or_located_errors_for_any_text() =>
        Gen.OneOf(Line.Array[0, 20].Select(lines => string.Join('\n', lines)), Mutation.Of([.. FuzzSeeds.ConfigTexts.Select(System.Text.Encoding.UTF8.GetBytes)])
            .Select(bytes => System.Text.Encoding.UTF8.GetString(bytes)))
        .Sample(text =>
        {
            var result = DnsmasqConfigReader.Parse(text, "fuzz.conf");
            var lineCount = text.Split('\n').Length;
            return result.IsValid || (!result.Errors.IsEmpty && result.Errors.All(e => e.Source.Line >= 1 && e.Source.Line <= lineCount));
        }, iter: FuzzBudget.Iterations(10_000));
}
