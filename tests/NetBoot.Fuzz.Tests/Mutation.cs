using CsCheck;

namespace NetBoot.Fuzz.Tests;

/// <summary>Generators of hostile bytes: random data, and corpus packets with bytes flipped, cut, repeated or inserted.</summary>
internal static class Mutation
{
    public static Gen<byte[]> RandomBytes(int maximumLength) => Gen.Byte.Array[0, maximumLength];

    /// <summary>A seed with 1–8 edits: overwrite a byte, cut the tail, duplicate a slice, insert random bytes.</summary>
    public static Gen<byte[]> Of(byte[][] seeds) =>
        Gen.Int[0, seeds.Length - 1].SelectMany(index =>
            Gen.Int[0, int.MaxValue].Array[1, 8].Select(edits => Apply(seeds[index], edits)));

    private static byte[] Apply(byte[] seed, int[] edits)
    {
        var bytes = new List<byte>(seed);
        foreach (var edit in edits)
        {
            if (bytes.Count == 0)
            {
                bytes.Add((byte)edit);
                continue;
            }
            var at = (edit >> 3) % bytes.Count;
            switch (edit & 7)
            {
                case 0 or 1 or 2:
                    bytes[at] = (byte)(edit >> 11);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(16, bytes.Count - at)));
                    break;
                case 5:
                    bytes.Insert(at, (byte)(edit >> 11));
                    break;
                case 6:
                    bytes[at] = 0xFF;
                    break;
                default:
                    bytes[at] = 0;
                    break;
            }
        }
        return [.. bytes];
    }
}
