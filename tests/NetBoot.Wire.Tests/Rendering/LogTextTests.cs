using System.Text;
using NetBoot.Wire.Rendering;

namespace NetBoot.Wire.Tests.Rendering;

public class LogTextTests
{
    private const string Forged = "PXEClient\nNov 25 21:50:48 netboot-dhcp: DHCPACK(eth0) 10.0.0.66 de:ad:be:ef:00:01 forged\u001b[2J";

    [Fact]
    public void A_newline_and_an_escape_in_client_bytes_become_hex_escapes_on_one_line()
    {
        var escaped = LogText.Escape(Encoding.ASCII.GetBytes(Forged));

        Assert.Equal("PXEClient\\x0aNov 25 21:50:48 netboot-dhcp: DHCPACK(eth0) 10.0.0.66 de:ad:be:ef:00:01 forged\\x1b[2J", escaped);
        Assert.True(escaped.All(c => c is >= ' ' and <= '~'), escaped);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'a', 0x00, 0x09, 0x0d, 0x7f, 0x80, 0xff }, "a\\x00\\x09\\x0d\\x7f\\x80\\xff")]
    [InlineData(new byte[] { (byte)'M', (byte)'S', (byte)'F', (byte)'T', (byte)' ', (byte)'5', (byte)'.', (byte)'0' }, "MSFT 5.0")]
    [InlineData(new byte[] { (byte)'\\', (byte)'"', (byte)'~', (byte)' ' }, "\\\"~ ")]
    [InlineData(new byte[0], "")]
    public void Printable_ascii_is_kept_and_every_other_byte_is_escaped(byte[] bytes, string expected) =>
        Assert.Equal(expected, LogText.Escape(bytes));

    [Fact]
    public void Text_that_needs_nothing_is_returned_as_it_is()
    {
        const string name = "\\boot\\x86\\wdsnbp.com";

        Assert.Same(name, LogText.Escape(name));
        Assert.Equal("", LogText.Escape((string?)null));
    }

    [Theory]
    [InlineData("line\nbreak", "line\\x0abreak")]
    [InlineData("cr\rlf", "cr\\x0dlf")]
    [InlineData("esc\u001b[31mred", "esc\\x1b[31mred")]
    [InlineData("caf\u00e9", "caf\\xc3\\xa9")]
    [InlineData("rtl\u202eexe.txt", "rtl\\xe2\\x80\\xaeexe.txt")]
    [InlineData("sep\u2028x", "sep\\xe2\\x80\\xa8x")]
    [InlineData("nel\u0085x", "nel\\xc2\\x85x")]
    [InlineData("emoji \U0001F600", "emoji \\xf0\\x9f\\x98\\x80")]
    public void Text_outside_printable_ascii_is_shown_as_its_utf8_bytes(string text, string expected) =>
        Assert.Equal(expected, LogText.Escape(text));

    [Fact]
    public void Escaping_twice_changes_nothing()
    {
        var once = LogText.Escape(Forged);

        Assert.Equal(once, LogText.Escape(once));
        Assert.Equal(LogText.Escape(Encoding.UTF8.GetBytes(Forged)), once);
    }

    [Theory]
    [InlineData("a\nb", "a\\x0ab")]
    [InlineData("a\u001bb", "a\\x1bb")]
    [InlineData("a\u0085b", "a\\x85b")]
    [InlineData("a\u2028b\u2029", "a\\u2028b\\u2029")]
    public void The_sink_guard_escapes_controls_and_line_separators(string text, string expected) =>
        Assert.Equal(expected, LogText.EscapeControls(text));

    [Fact]
    public void The_sink_guard_leaves_utf8_text_and_clean_lines_alone()
    {
        const string line = "TFTP root /srv/tftp/Übung inaccessible";

        Assert.Same(line, LogText.EscapeControls(line));
    }
}
