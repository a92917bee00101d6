using System.Text;
using NetBoot.Engine.Tftp;

namespace NetBoot.Engine.Tests.Tftp;

public class NetasciiEncoderTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("plain", "plain")]
    [InlineData("a\nb", "a\r\nb")]
    [InlineData("a\rb", "a\r\0b")]
    [InlineData("a\r\nb", "a\r\0\r\nb")]
    [InlineData("\n\n", "\r\n\r\n")]
    [InlineData("end\r", "end\r\0")]
    public void Line_feed_becomes_cr_lf_and_carriage_return_becomes_cr_nul(string local, string netascii)
    {
        var source = Encoding.ASCII.GetBytes(local);
        Assert.Equal(Encoding.ASCII.GetBytes(netascii), NetasciiEncoder.Encode(source));
        Assert.Equal(netascii.Length, NetasciiEncoder.GetEncodedLength(source));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(512)]
    public void Blocks_converted_piecewise_equal_the_whole_conversion(int blockSize)
    {
        var source = Encoding.ASCII.GetBytes("line one\nline two\r\n\n\rtail\n" + new string('x', 600) + "\n");
        var expected = NetasciiEncoder.Encode(source);
        var encoder = new NetasciiEncoder();
        var output = new List<byte>();
        var remaining = source.AsSpan();
        var block = new byte[blockSize];
        while (true)
        {
            var written = encoder.Convert(remaining, block, out var consumed);
            remaining = remaining[consumed..];
            output.AddRange(block.AsSpan(0, written).ToArray());
            if (written < blockSize)
            {
                break;
            }
        }
        Assert.Equal(expected, output.ToArray());
        Assert.False(encoder.HasPendingByte);
    }

    [Fact]
    public void Expansion_split_across_blocks_carries_the_second_byte()
    {
        var encoder = new NetasciiEncoder();
        var first = new byte[2];
        Assert.Equal(2, encoder.Convert("a\n"u8, first, out var consumed));
        Assert.Equal(2, consumed);
        Assert.Equal("a\r"u8.ToArray(), first);
        Assert.True(encoder.HasPendingByte);
        var second = new byte[4];
        Assert.Equal(1, encoder.Convert([], second, out _));
        Assert.Equal((byte)'\n', second[0]);
    }
}
