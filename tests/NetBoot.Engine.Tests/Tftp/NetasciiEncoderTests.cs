using System.Text;
using NetBoot.Engine.Tftp;

namespace NetBoot.Engine.Tests.Tftp;

/// <summary>The streaming netascii encoder against a byte-at-a-time reference conversion of RFC 1350 §5
/// (LF → CR LF, CR → CR NUL), for fixed cases and for random text cut into blocks of every size.</summary>
public class NetasciiEncoderTests
{
    /// <summary>The reference: RFC 764/1350 netascii, one byte at a time, no state.</summary>
    internal static byte[] Reference(ReadOnlySpan<byte> source)
    {
        var output = new List<byte>(source.Length * 2);
        foreach (var value in source)
        {
            switch (value)
            {
                case (byte)'\n':
                    output.Add((byte)'\r');
                    output.Add((byte)'\n');
                    break;
                case (byte)'\r':
                    output.Add((byte)'\r');
                    output.Add(0);
                    break;
                default:
                    output.Add(value);
                    break;
            }
        }
        return [.. output];
    }

    /// <summary>Random text where CR and LF are frequent (about one byte in four), so expansions land on every
    /// block boundary, NUL and bytes above 127 included.</summary>
    internal static byte[] RandomText(Random random, int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = random.Next(8) switch
            {
                0 => (byte)'\n',
                1 => (byte)'\r',
                2 => (byte)random.Next(256),
                _ => (byte)random.Next('a', 'z' + 1),
            };
        }
        return bytes;
    }

    /// <summary>Converts <paramref name="source"/> into blocks of <paramref name="blockSize"/>, feeding the source
    /// in chunks of random sizes; returns the concatenated blocks and how many blocks ended holding a pending byte.</summary>
    private static (byte[] Output, int SplitPairs) ConvertInBlocks(byte[] source, int blockSize, Random random)
    {
        var encoder = new NetasciiEncoder();
        var output = new List<byte>();
        var position = 0;
        var splitPairs = 0;
        var block = new byte[blockSize];
        while (true)
        {
            var filled = 0;
            while (filled < blockSize)
            {
                var chunk = source.AsSpan(position, Math.Min(source.Length - position, random.Next(1, 40)));
                var written = encoder.Convert(chunk, block.AsSpan(filled), out var consumed);
                position += consumed;
                filled += written;
                if (written == 0)
                {
                    break;
                }
            }
            output.AddRange(block.AsSpan(0, filled).ToArray());
            if (encoder.HasPendingByte)
            {
                splitPairs++;
            }
            if (filled < blockSize)
            {
                Assert.False(encoder.HasPendingByte);
                Assert.Equal(source.Length, position);
                return ([.. output], splitPairs);
            }
        }
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("plain", "plain")]
    [InlineData("a\nb", "a\r\nb")]
    [InlineData("a\rb", "a\r\0b")]
    [InlineData("a\r\nb", "a\r\0\r\nb")]
    [InlineData("\n\n", "\r\n\r\n")]
    [InlineData("end\r", "end\r\0")]
    [InlineData("\0\r\0", "\0\r\0\0")]
    public void Line_feed_becomes_cr_lf_and_carriage_return_becomes_cr_nul(string local, string netascii)
    {
        var source = Encoding.ASCII.GetBytes(local);
        var destination = new byte[netascii.Length + 8];
        var written = new NetasciiEncoder().Convert(source, destination, out var consumed);
        Assert.Equal(Encoding.ASCII.GetBytes(netascii), destination[..written]);
        Assert.Equal(source.Length, consumed);
        Assert.Equal(Encoding.ASCII.GetBytes(netascii), Reference(source));
    }

    [Fact]
    public void Random_text_converted_in_blocks_of_every_size_equals_the_reference()
    {
        var random = new Random(764);
        var splitPairs = 0;
        for (var round = 0; round < 20; round++)
        {
            var source = RandomText(random, random.Next(0, 700));
            var expected = Reference(source);
            // Every block size up to past the whole output: every offset of the output is a block boundary for some
            // size, so each CR LF and CR NUL pair is split by one of them.
            for (var blockSize = 1; blockSize <= expected.Length + 1; blockSize++)
            {
                var (output, split) = ConvertInBlocks(source, blockSize, random);
                Assert.Equal(expected, output);
                splitPairs += split;
            }
        }
        Assert.True(splitPairs > 1000, $"only {splitPairs} blocks ended between CR and its second byte");
    }

    [Theory]
    [InlineData((byte)'\n', (byte)'\n')]
    [InlineData((byte)'\r', (byte)0)]
    public void Cr_written_at_the_last_byte_of_a_block_carries_the_second_byte_into_the_next(byte local, byte second)
    {
        var encoder = new NetasciiEncoder();
        var first = new byte[4];
        Assert.Equal(4, encoder.Convert([(byte)'a', (byte)'b', (byte)'c', local, (byte)'d'], first, out var consumed));
        Assert.Equal(4, consumed);
        Assert.Equal([(byte)'a', (byte)'b', (byte)'c', (byte)'\r'], first);
        Assert.Equal(second, encoder.PendingByte);
        var next = new byte[4];
        Assert.Equal(2, encoder.Convert([(byte)'d'], next, out consumed));
        Assert.Equal([second, (byte)'d'], next[..2]);
        Assert.False(encoder.HasPendingByte);
    }

    [Fact]
    public void Pending_byte_is_written_even_when_the_source_has_ended()
    {
        var encoder = new NetasciiEncoder();
        Assert.Equal(1, encoder.Convert("\r"u8, new byte[1], out _));
        var tail = new byte[4];
        Assert.Equal(1, encoder.Convert([], tail, out _));
        Assert.Equal(0, tail[0]);
        Assert.Equal(0, encoder.Convert([], tail, out _));
    }

    [Fact]
    public void Restored_state_resumes_a_conversion_and_only_lf_or_nul_can_be_pending()
    {
        var encoder = new NetasciiEncoder();
        encoder.Restore((byte)'\n');
        var output = new byte[3];
        Assert.Equal(3, encoder.Convert("x\n"u8, output, out _));
        Assert.Equal("\nx\r"u8.ToArray(), output);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Restore((byte)'a'));
    }
}
