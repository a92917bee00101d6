using System.Numerics;

namespace NetBoot.Engine.Leases;

/// <summary>One bit per IPv4 address, in chunks of 65 536 addresses (8 KiB) allocated on first use: finds the first
/// clear bit of a span of addresses 64 at a time, however many of them are set.</summary>
internal sealed class AddressBitmap
{
    private const int ChunkBits = 16;
    private const int WordsPerChunk = (1 << ChunkBits) / 64;

    private readonly Dictionary<uint, ulong[]> _chunks = [];

    public void Set(uint address)
    {
        if (!_chunks.TryGetValue(address >> ChunkBits, out var words))
        {
            words = new ulong[WordsPerChunk];
            _chunks.Add(address >> ChunkBits, words);
        }
        words[(address & 0xFFFF) >> 6] |= 1UL << (int)(address & 63);
    }

    public void Clear(uint address)
    {
        if (_chunks.TryGetValue(address >> ChunkBits, out var words))
        {
            words[(address & 0xFFFF) >> 6] &= ~(1UL << (int)(address & 63));
        }
    }

    public bool IsSet(uint address) =>
        _chunks.TryGetValue(address >> ChunkBits, out var words) && (words[(address & 0xFFFF) >> 6] & (1UL << (int)(address & 63))) != 0;

    public void ClearAll() => _chunks.Clear();

    /// <summary>The lowest address in <paramref name="from"/>..<paramref name="to"/> (inclusive) whose bit is clear.</summary>
    public uint? FirstClear(uint from, uint to)
    {
        var current = from;
        while (current <= to)
        {
            var chunk = current >> ChunkBits;
            var chunkEnd = Math.Min(to, (chunk << ChunkBits) | 0xFFFF);
            if (!_chunks.TryGetValue(chunk, out var words))
            {
                return current;
            }
            var w = (int)((current & 0xFFFF) >> 6);
            var last = (int)((chunkEnd & 0xFFFF) >> 6);
            var free = ~words[w] & (ulong.MaxValue << (int)(current & 63));
            while (true)
            {
                if (w == last)
                {
                    var endBit = (int)(chunkEnd & 63);
                    free &= endBit == 63 ? ulong.MaxValue : (1UL << (endBit + 1)) - 1;
                }
                if (free != 0)
                {
                    return (chunk << ChunkBits) | ((uint)w << 6) | (uint)BitOperations.TrailingZeroCount(free);
                }
                if (w == last)
                {
                    break;
                }
                free = ~words[++w];
            }
            if (chunkEnd == to)
            {
                return null;
            }
            current = chunkEnd + 1;
        }
        return null;
    }
}
