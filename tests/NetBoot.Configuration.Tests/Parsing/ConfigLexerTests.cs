using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Configuration.Tests.Parsing;

public class ConfigLexerTests
{
    [Theory]
    [InlineData("log-dhcp", "log-dhcp", null)]
    [InlineData("dhcp-range=10.0.0.0,proxy", "dhcp-range", "10.0.0.0,proxy")]
    [InlineData("  dhcp-range  =  10.0.0.0 , proxy  ", "dhcp-range", "10.0.0.0 , proxy")]
    [InlineData("tftp-root=/srv/tftp # comment", "tftp-root", "/srv/tftp")]
    [InlineData("tftp-root=/srv/tftp\t\t# comment", "tftp-root", "/srv/tftp")]
    [InlineData("dhcp-boot=file#notacomment", "dhcp-boot", "file#notacomment")]
    [InlineData("pxe-service=x86PC,\ttext  with runs", "pxe-service", "x86PC, text  with runs")]
    [InlineData("tftp-root=/srv/tftp\r", "tftp-root", "/srv/tftp")]
    [InlineData("dhcp-boot=", "dhcp-boot", "")]
    public void Lines_split_into_name_and_value(string line, string name, string? value)
    {
        Assert.Equal(LexOutcome.Directive, ConfigLexer.TryLex(line, out var directive));
        Assert.Equal(name, directive.Name);
        Assert.Equal(value, directive.Value is null ? null : QuotedText.Reveal(directive.Value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("# enable-tftp")]
    [InlineData("   # indented comment")]
    public void Blank_and_comment_lines_are_empty(string line) =>
        Assert.Equal(LexOutcome.Empty, ConfigLexer.TryLex(line, out _));

    [Fact]
    public void Quoted_commas_do_not_split_fields_and_quotes_are_removed()
    {
        ConfigLexer.TryLex("pxe-prompt=\"Press F8, or wait\",3", out var directive);
        var fields = FieldCursor.Split(directive.Value);
        Assert.Equal(2, fields.Count);
        Assert.Equal("Press F8, or wait", QuotedText.Reveal(fields[0]));
        Assert.Equal("3", fields[1]);
    }

    [Fact]
    public void Hash_inside_quotes_is_not_a_comment()
    {
        ConfigLexer.TryLex("pxe-prompt=\"menu # one\" # real comment", out var directive);
        Assert.Equal("menu # one", QuotedText.Reveal(directive.Value!));
    }

    [Fact]
    public void Quoted_spaces_are_kept_exactly()
    {
        ConfigLexer.TryLex("pxe-service=tag:rpi,X86PC,\"Raspberry Pi Boot   \",unused", out var directive);
        Assert.Equal("Raspberry Pi Boot   ", QuotedText.Reveal(FieldCursor.Split(directive.Value)[2]));
    }

    [Theory]
    [InlineData("\"a\\\"b\"", "a\"b")]
    [InlineData("\"a\\\\b\"", "a\\b")]
    [InlineData("\"a\\tb\"", "a\tb")]
    [InlineData("\"a\\nb\"", "a\nb")]
    [InlineData("\"a\\eb\"", "a\u001bb")]
    [InlineData("\"a\\bb\"", "a\bb")]
    [InlineData("\"a\\rb\"", "a\rb")]
    [InlineData("\"a\\qb\"", "a\\qb")]
    public void Escapes_inside_quotes_are_resolved(string quoted, string expected)
    {
        ConfigLexer.TryLex("pxe-prompt=" + quoted, out var directive);
        Assert.Equal(expected, QuotedText.Reveal(directive.Value!));
    }

    [Fact]
    public void Unterminated_quote_is_missing_quote_error() =>
        ConfigAssert.Error("log-dhcp\npxe-prompt=\"Press F8,3", "missing \"", 2);

    [Fact]
    public void Quoted_address_stays_a_string_option()
    {
        var config = ConfigAssert.Valid("dhcp-option=66,\"1.2.3.4\"");
        Assert.Equal("1.2.3.4"u8.ToArray(), config.Options[0].Value.ToArray());
    }

    [Fact]
    public void Error_line_numbers_count_physical_lines_including_comments_and_blanks()
    {
        var error = ConfigAssert.Error("# one\n\nlog-dhcp\n   # four\ndhcp-range=e0,1.2.3.4,1.2.3.9", "bad dhcp-range", 5);
        Assert.Equal("bad dhcp-range at line 5 of test.conf", error.ToString());
    }

    [Fact]
    public void Command_line_directives_go_through_the_same_grammar()
    {
        var result = DnsmasqConfigReader.Load(new ConfigInput { CommandLine = ["dhcp-range=10.0.0.0,proxy", "--log-dhcp"] });
        Assert.True(result.IsValid);
        Assert.Equal(DhcpRangeMode.Proxy, result.Config!.Ranges[0].Mode);
        Assert.Equal(SourceLocation.CommandLine, result.Config.Ranges[0].Source);
        Assert.True(result.Config.LogDhcp);
    }

    [Fact]
    public void Command_line_errors_are_located_on_the_command_line()
    {
        var result = DnsmasqConfigReader.Load(new ConfigInput { CommandLine = ["dhcp-range=e0,10.0.0.1,10.0.0.9"] });
        var error = Assert.Single(result.Errors);
        Assert.Equal(SourceLocation.CommandLine, error.Source);
        Assert.Equal("bad command line options: bad dhcp-range", error.ToString());
    }
}
