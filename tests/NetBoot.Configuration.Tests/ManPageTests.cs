using System.Text.RegularExpressions;
using NetBoot.Configuration.Parsing;
using NetBoot.Testing;

namespace NetBoot.Configuration.Tests;

/// <summary>packaging/man/netboot.conf.5 stays true to the directive table: every directive NetBoot acts on has its own
/// entry, every one it accepts without acting on is named, and no entry describes a directive NetBoot does not know.</summary>
public class ManPageTests
{
    private static readonly string Page = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "packaging", "man", "netboot.conf.5"));

    /// <summary>man(7) escapes the hyphen of an option name as <c>\-</c>.</summary>
    private static string Escaped(string name) => name.Replace("-", @"\-", StringComparison.Ordinal);

    private static IEnumerable<string> Names(Func<DirectiveSpec, bool> predicate) =>
        DirectiveTable.Names.Where(n => DirectiveTable.TryGet(n, out var spec) && predicate(spec)).Order(StringComparer.Ordinal);

    [Fact]
    public void Every_directive_netboot_acts_on_has_an_entry_in_netboot_conf_5()
    {
        var missing = Names(s => s.Effect == DirectiveEffect.Served)
            .Where(n => !Regex.IsMatch(Page, $@"^\.B {Regex.Escape(Escaped(n))}(=|\\f|\s|$)", RegexOptions.Multiline))
            .ToArray();

        Assert.True(missing.Length == 0, "no entry in packaging/man/netboot.conf.5 for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_directive_accepted_without_effect_is_named_in_netboot_conf_5()
    {
        var missing = Names(s => s.Effect is DirectiveEffect.NotInEffect or DirectiveEffect.Ignored)
            .Where(n => !Regex.IsMatch(Page, $@"(\s|"" ){Regex.Escape(Escaped(n))}(\s|\s*"")", RegexOptions.Multiline))
            .ToArray();

        Assert.True(missing.Length == 0, "not named in packaging/man/netboot.conf.5: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_entry_of_netboot_conf_5_is_a_directive_netboot_knows()
    {
        var entries = Regex.Matches(Page, @"^\.TP\n\.B (?<name>[a-z0-9]+(?:\\-[a-z0-9]+)*)", RegexOptions.Multiline)
            .Select(m => m.Groups["name"].Value.Replace(@"\-", "-", StringComparison.Ordinal));

        Assert.All(entries, name => Assert.True(DirectiveTable.TryGet(name, out _), $"netboot.conf.5 describes unknown directive {name}"));
    }
}
