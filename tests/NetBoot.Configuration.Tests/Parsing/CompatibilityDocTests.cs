using System.Text;
using NetBoot.Configuration.Parsing;
using NetBoot.Testing;

namespace NetBoot.Configuration.Tests.Parsing;

/// <summary>docs/dnsmasq-compatibility.md lists every dnsmasq directive (testdata/dnsmasq-directives.txt, from dnsmasq's
/// option table) with what NetBoot does with it, generated from <see cref="DirectiveTable"/>: the test fails when the
/// document differs; <c>NETBOOT_UPDATE_GOLDEN=1</c> writes it again.</summary>
public sealed class CompatibilityDocTests
{
    /// <summary>dnsmasq options that only make sense on its command line.</summary>
    private static readonly Dictionary<string, string> CommandLineOnly = new(StringComparer.Ordinal)
    {
        ["version"] = "command line only: `netboot --version`",
        ["help"] = "command line only: `netboot --help`",
    };

    private static IReadOnlyList<string> DnsmasqDirectives() =>
        [.. File.ReadLines(Path.Combine(TestPaths.TestData, "dnsmasq-directives.txt"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    internal static string Status(DirectiveEffect effect) => effect switch
    {
        DirectiveEffect.Served => "served",
        DirectiveEffect.NotInEffect => "accepted, **not in effect** (notice)",
        DirectiveEffect.Dns => "accepted, DNS: not served",
        _ => "accepted, ignored",
    };

    private static string Cell(string? text) => (text ?? "").Replace("|", "\\|", StringComparison.Ordinal);

    internal static string Render()
    {
        var dnsmasq = DnsmasqDirectives();
        var text = new StringBuilder("""
            # dnsmasq compatibility

            What NetBoot does with each dnsmasq directive. Generated from the directive table
            (`src/NetBoot.Configuration/Parsing/DirectiveTable.cs`) by `tests/NetBoot.Configuration.Tests/Parsing/CompatibilityDocTests.cs`;
            regenerate with `NETBOOT_UPDATE_GOLDEN=1 dotnet test tests/NetBoot.Configuration.Tests --filter CompatibilityDocTests`.
            The list of dnsmasq's directives is dnsmasq's own option table (`testdata/dnsmasq-directives.txt`).

            - **served**: parsed and acted on.
            - **not in effect**: accepted so that dnsmasq files load; `netboot check` and start-up print a notice saying what happens instead.
            - **DNS: not served**: NetBoot serves no DNS; accepted, reported by `netboot check`.
            - **ignored**: meaningless for NetBoot (IPv6, daemon housekeeping); reported by `netboot check`.
            - **refused**: unknown to NetBoot; the configuration is refused ("bad option") with file and line.

            | Directive | NetBoot | Note |
            |---|---|---|

            """);
        foreach (var name in dnsmasq)
        {
            if (CommandLineOnly.TryGetValue(name, out var note))
            {
                text.Append($"| `{name}` | not a file directive | {note} |\n");
            }
            else if (!DirectiveTable.TryGet(name, out var spec))
            {
                text.Append($"| `{name}` | **refused** | not known to NetBoot |\n");
            }
            else if (name is "conf-file" or "conf-dir")
            {
                text.Append($"| `{name}` | served | read while parsing |\n");
            }
            else
            {
                text.Append($"| `{name}` | {Status(spec.Effect)} | {Cell(spec.Note)} |\n");
            }
        }
        text.Append("""

            ## NetBoot's own directives

            | Directive | NetBoot | Note |
            |---|---|---|

            """);
        foreach (var name in DirectiveTable.Names.Where(n => !dnsmasq.Contains(n)).Order(StringComparer.Ordinal))
        {
            DirectiveTable.TryGet(name, out var spec);
            text.Append($"| `{name}` | {Status(spec.Effect)} | {Cell(spec.Note)} |\n");
        }
        return text.ToString();
    }

    [Fact]
    public void The_compatibility_document_lists_every_dnsmasq_directive_with_its_status()
    {
        var text = Render();
        var path = Path.Combine(TestPaths.RepositoryRoot, "docs", "dnsmasq-compatibility.md");
        if (Environment.GetEnvironmentVariable("NETBOOT_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, text);
        }

        Assert.True(File.Exists(path), $"{path} is missing; run with NETBOOT_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(path), text);
    }

    [Fact]
    public void Every_dnsmasq_directive_is_in_the_list_read_from_dnsmasqs_option_table()
    {
        var names = DnsmasqDirectives();

        Assert.True(names.Count > 190, $"only {names.Count} dnsmasq directives listed");
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("log-facility", names);
        Assert.Contains("script-on-renewal", names);
    }
}
