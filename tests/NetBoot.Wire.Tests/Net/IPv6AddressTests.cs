using NetBoot.Wire.Net;

namespace NetBoot.Wire.Tests.Net;

public sealed class IPv6AddressTests
{
    [Theory]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("::", "::")]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]
    public void Literals_parse_and_print_in_rfc_5952_form(string text, string expected)
    {
        Assert.True(IPv6Address.TryParse(text, out var address));
        Assert.Equal(expected, address.ToString());
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[2001:db8::1]")]
    [InlineData("2001:db8::zz")]
    [InlineData("")]
    [InlineData(null)]
    public void Non_ipv6_text_is_refused(string? text) => Assert.False(IPv6Address.TryParse(text, out _));

    [Fact]
    public void Bytes_round_trip_in_network_order_and_masks_keep_the_prefix()
    {
        var address = IPv6Address.Parse("2001:db8:1:2:3:4:5:6");
        Assert.Equal(address, IPv6Address.FromBytes(address.ToBytes()));
        Assert.Equal(0x20, address.ToBytes()[0]);
        Assert.Equal(IPv6Address.Parse("2001:db8:1:2::"), address.Mask(64));
        Assert.Equal(IPv6Address.Any, address.Mask(0));
        Assert.Equal(address, address.Mask(128));
        Assert.True(IPv6Address.Parse("fe80::1").IsLinkLocal);
        Assert.False(IPv6Address.Parse("fec0::1").IsLinkLocal);
        Assert.True(IPv6Address.Parse("ff02::1:2").IsMulticast);
        Assert.True(IPv6Address.Parse("2001:db8::1") < IPv6Address.Parse("2001:db8::2"));
    }
}
