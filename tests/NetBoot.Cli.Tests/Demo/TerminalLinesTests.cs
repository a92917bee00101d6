using NetBoot.Cli.Demo;

namespace NetBoot.Cli.Tests.Demo;

/// <summary>The demo shows the VM's serial console as a terminal would: prompts erased with backspaces stay erased,
/// colours and cursor moves are dropped, chunks cut anywhere give the same lines.</summary>
public sealed class TerminalLinesTests
{
    /// <summary>What SeaBIOS and Debian's iPXE ROM wrote in a real demo run (escape sequences and all).</summary>
    private const string IpxeConsole =
        "\x1b" + "c\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n\r\n\r\n"
        + "Press Ctrl-B to configure iPXE (PCI 00:02.0)...\r                                                \r\n"
        + "\x1b[0;1miPXE 1.0.0+git-20190125.36a4c85-5.1\x1b[0m -- Open Source Network Boot Firmware\r\n"
        + "Press Ctrl-B for the iPXE command line..." + "\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b"
        + "net0: 52:54:00:4e:44:01 using 82540em on 0000:00:02.0 (open)\r\n"
        + "Press F8 for boot menu (2)\b \b\b \b\b \b\b \b (1)\b \b\b \b\b \b\b \b\r\n"
        + "NETBOOT-DEMO-0123abcd: pxelinux read this file\r\n";

    private static readonly string[] Expected =
    [
        "SeaBIOS (version 1.16.2-debian-1.16.2-1)",
        "iPXE 1.0.0+git-20190125.36a4c85-5.1 -- Open Source Network Boot Firmware",
        "net0: 52:54:00:4e:44:01 using 82540em on 0000:00:02.0 (open)",
        "Press F8 for boot menu",
        "NETBOOT-DEMO-0123abcd: pxelinux read this file",
    ];

    [Fact]
    public void Erased_prompts_colours_and_blank_lines_are_gone()
    {
        var lines = new TerminalLines().Feed(IpxeConsole);
        Assert.Equal(Expected, lines);
    }

    [Fact]
    public void Chunks_cut_anywhere_give_the_same_lines()
    {
        for (var cut = 0; cut <= IpxeConsole.Length; cut += 7)
        {
            var terminal = new TerminalLines();
            var lines = terminal.Feed(IpxeConsole[..cut]).Concat(terminal.Feed(IpxeConsole[cut..])).ToList();
            Assert.Equal(Expected, lines);
        }
    }

    [Fact]
    public void A_cursor_position_sequence_ends_the_line_as_on_ovmf_screens()
    {
        var terminal = new TerminalLines();
        Assert.Equal(["BdsDxe: loading Boot0001", ">>Start PXE over IPv4."], terminal.Feed("BdsDxe: loading Boot0001\x1b[05;01H>>Start PXE over IPv4.\x1b[06;01H"));
        Assert.Equal("", terminal.Pending);
    }

    /// <summary>SeaBIOS, copying the screen to the serial port, names the cursor's own position in the middle of a line
    /// (seen in demo runs: the marker came out as "NETBO" and "OT-DEMO…" before this was understood).</summary>
    [Fact]
    public void A_cursor_position_on_the_same_row_as_seabios_writes_it_keeps_the_line_whole()
    {
        var lines = new TerminalLines().Feed(
            "PXELINUX 6.04 PXE 20200816 Copyright (C) 1994-201\x1b[25;49H\x1b[25;50H5 H. Peter Anvin et al\r\r\nNETBO\x1b[25;6HOT-DEMO\r\n");
        Assert.Equal(["PXELINUX 6.04 PXE 20200816 Copyright (C) 1994-2015 H. Peter Anvin et al", "NETBOOT-DEMO"], lines);
    }

    [Fact]
    public void An_unfinished_line_is_pending_until_the_stream_ends()
    {
        var terminal = new TerminalLines();
        Assert.Empty(terminal.Feed("Press F8 for boot menu (3)"));
        Assert.Equal("Press F8 for boot menu (3)", terminal.Pending);
        Assert.Equal("Press F8 for boot menu (3)", terminal.Flush());
        Assert.Null(terminal.Flush());
    }
}
