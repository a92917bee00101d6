using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tests.Tftp;

public class TftpNegotiationTests
{
    private static readonly TftpConfig Config = new() { IsEnabled = true };

    private static TftpOption[] Parse(string options) =>
        options.Length == 0 ? [] : options.Split(' ').Select(o => o.Split('=')).Select(p => new TftpOption(p[0], p[1])).ToArray();

    private static string Render(TftpNegotiatedOptions result) => string.Join(' ', result.Acknowledged);

    [Theory]
    // blksize (RFC 2348): clamped to 65464 and to MTU − 32; invalid below 8 or not a number → not granted.
    [InlineData("blksize=1468", 1500, "blksize=1468")]
    [InlineData("blksize=1432", 1500, "blksize=1432")]
    [InlineData("blksize=1500", 1500, "blksize=1468")]
    [InlineData("blksize=65464", 0, "blksize=65464")]
    [InlineData("blksize=65535", 0, "blksize=65464")]
    [InlineData("blksize=8192", 9000, "blksize=8192")]
    [InlineData("blksize=65464", 9000, "blksize=8968")]
    [InlineData("blksize=8", 1500, "blksize=8")]
    [InlineData("blksize=7", 1500, "")]
    [InlineData("blksize=0", 1500, "")]
    [InlineData("blksize=-1", 1500, "")]
    [InlineData("blksize=1e3", 1500, "")]
    [InlineData("blksize=+512", 1500, "")]
    [InlineData("blksize=0x200", 1500, "")]
    [InlineData("blksize=99999999999999999999999", 1500, "")]
    [InlineData("BLKSIZE=1024", 1500, "blksize=1024")]
    // tsize (RFC 2349): the real size, whatever the client sent.
    [InlineData("tsize=0", 1500, "tsize=345455")]
    [InlineData("TSize=12", 1500, "tsize=345455")]
    // timeout (RFC 2349): 1..255.
    [InlineData("timeout=1", 1500, "timeout=1")]
    [InlineData("timeout=255", 1500, "timeout=255")]
    [InlineData("timeout=0", 1500, "")]
    [InlineData("timeout=256", 1500, "")]
    [InlineData("timeout=x", 1500, "")]
    // windowsize (RFC 7440): 1..cap (32).
    [InlineData("windowsize=4", 1500, "windowsize=4")]
    [InlineData("windowsize=1", 1500, "windowsize=1")]
    [InlineData("windowsize=64", 1500, "windowsize=32")]
    [InlineData("windowsize=65535", 1500, "windowsize=32")]
    [InlineData("windowsize=65536", 1500, "")]
    [InlineData("windowsize=0", 1500, "")]
    // Unknown options are not echoed; no granted option means no OACK.
    [InlineData("rollover=0 utimeout=10000 blksize2=1024", 1500, "")]
    [InlineData("", 1500, "")]
    // The first occurrence counts; the OACK uses dnsmasq's order, not the request's.
    [InlineData("blksize=1024 BLKSIZE=512", 1500, "blksize=1024")]
    [InlineData("windowsize=4 timeout=3 tsize=0 blksize=1468", 1500, "blksize=1468 tsize=345455 timeout=3 windowsize=4")]
    public void Octet_request_options_are_granted_within_limits(string requested, int mtu, string expected)
    {
        var result = TftpNegotiation.Negotiate(Parse(requested), TftpTransferMode.Octet, 345455, Config, mtu);
        Assert.Equal(expected, Render(result));
        Assert.Equal(expected.Length > 0, result.SendsOptionAcknowledgment);
    }

    [Fact]
    public void No_options_means_rfc1350_defaults_and_no_oack()
    {
        var result = TftpNegotiation.Negotiate([], TftpTransferMode.Octet, 100, Config, 1500);
        Assert.Equal(512, result.BlockSize);
        Assert.Equal(1, result.WindowSize);
        Assert.Null(result.Timeout);
        Assert.Null(result.TransferSize);
        Assert.False(result.SendsOptionAcknowledgment);
    }

    [Fact]
    public void Granted_values_drive_the_transfer_parameters()
    {
        var result = TftpNegotiation.Negotiate(Parse("blksize=1468 timeout=5 windowsize=8"), TftpTransferMode.Octet, 10, Config, 1500);
        Assert.Equal(1468, result.BlockSize);
        Assert.Equal(8, result.WindowSize);
        Assert.Equal(TimeSpan.FromSeconds(5), result.Timeout);
    }

    [Fact]
    public void Netascii_gets_neither_tsize_nor_windowsize_but_keeps_blksize()
    {
        var result = TftpNegotiation.Negotiate(Parse("tsize=0 windowsize=4 blksize=1024"), TftpTransferMode.Netascii, 100, Config, 1500);
        Assert.Equal("blksize=1024", Render(result));
        Assert.Equal(1, result.WindowSize);
    }

    [Fact]
    public void Tsize_is_not_granted_when_the_size_is_unknown()
    {
        Assert.False(TftpNegotiation.Negotiate(Parse("tsize=0"), TftpTransferMode.Octet, null, Config, 1500).SendsOptionAcknowledgment);
    }

    [Fact]
    public void Tftp_no_blocksize_ignores_blksize()
    {
        var result = TftpNegotiation.Negotiate(Parse("blksize=1468 tsize=0"), TftpTransferMode.Octet, 72, Config with { NoBlockSize = true }, 1500);
        Assert.Equal("tsize=72", Render(result));
        Assert.Equal(512, result.BlockSize);
    }

    [Theory]
    [InlineData(1500, 1000, 968)]
    [InlineData(900, 1000, 868)]
    [InlineData(0, 1000, 968)]
    public void Tftp_mtu_caps_the_interface_mtu(int interfaceMtu, int tftpMtu, int expected)
    {
        var result = TftpNegotiation.Negotiate(Parse("blksize=1468"), TftpTransferMode.Octet, 1, Config with { Mtu = tftpMtu }, interfaceMtu);
        Assert.Equal(expected, result.BlockSize);
    }

    [Fact]
    public void Windowsize_cap_comes_from_the_configuration()
    {
        var result = TftpNegotiation.Negotiate(Parse("windowsize=16"), TftpTransferMode.Octet, 1, Config with { MaxWindowSize = 8 }, 1500);
        Assert.Equal(8, result.WindowSize);
    }

    [Fact]
    public void Edk2_request_from_the_lab_gets_the_oack_dnsmasq_sent_plus_windowsize()
    {
        // lab/uefi-edk2-full: RRQ bootx64.efi tsize=0 blksize=1468 windowsize=4; dnsmasq 2.90 answered
        // "blksize=1468 tsize=65536" (it predates windowsize, added in 2.92).
        var result = TftpNegotiation.Negotiate(Parse("tsize=0 blksize=1468 windowsize=4"), TftpTransferMode.Octet, 65536, Config, 1500);
        Assert.Equal("blksize=1468 tsize=65536 windowsize=4", Render(result));
    }
}
