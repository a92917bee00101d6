using NetBoot.Engine.Tftp;

namespace NetBoot.Engine.Tests.Tftp;

/// <summary>Netascii received, converted back (what <c>netboot tftp-get --netascii</c> writes): the inverse of the
/// encoder for any text cut into blocks of any size, and the pairs the RFC names, also when a block boundary cuts them.</summary>
public class NetasciiDecoderTests
{
    [Theory]
    [InlineData("a\r\nb", "a\nb")]
    [InlineData("a\r\0b", "a\rb")]
    [InlineData("\r\n\r\n", "\n\n")]
    [InlineData("\r\r\n", "\r\n")]
    [InlineData("x\ry", "x\ry")]
    [InlineData("end\r", "end\r")]
    [InlineData("", "")]
    public void Pairs_convert_as_rfc_1350_says_and_a_stray_cr_is_kept(string wire, string expected)
    {
        for (var cut = 0; cut <= wire.Length; cut++)
        {
            var bytes = System.Text.Encoding.Latin1.GetBytes(wire);
            var decoded = Decode([bytes[..cut], bytes[cut..]]);
            Assert.Equal(expected, System.Text.Encoding.Latin1.GetString(decoded));
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(512)]
    [InlineData(1468)]
    public void Decoding_the_encoders_blocks_gives_back_the_text(int blockSize)
    {
        var random = new Random(blockSize);
        for (var round = 0; round < 20; round++)
        {
            var text = NetasciiEncoderTests.RandomText(random, random.Next(0, 5000));
            var wire = NetasciiEncoderTests.Reference(text);
            var blocks = Enumerable.Range(0, (wire.Length + blockSize - 1) / blockSize)
                .Select(i => wire[(i * blockSize)..Math.Min(wire.Length, (i + 1) * blockSize)]).ToList();
            Assert.Equal(text, Decode(blocks));
        }
    }

    [Fact]
    public void A_destination_shorter_than_the_maximum_is_refused()
    {
        var decoder = new NetasciiDecoder();
        Assert.Throws<ArgumentException>(() => decoder.Convert("ab"u8, new byte[2]));
    }

    private static byte[] Decode(IEnumerable<byte[]> blocks)
    {
        var decoder = new NetasciiDecoder();
        var output = new List<byte>();
        foreach (var block in blocks)
        {
            var buffer = new byte[NetasciiDecoder.MaxOutputLength(block.Length)];
            output.AddRange(buffer[..decoder.Convert(block, buffer)]);
        }
        var end = new byte[1];
        output.AddRange(end[..decoder.Finish(end)]);
        return [.. output];
    }
}
