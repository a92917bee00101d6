using System.Globalization;

namespace NetBoot.Fuzz.Tests;

/// <summary>Iteration counts: sized for a pass of well under a minute in CI; <c>NETBOOT_FUZZ_SCALE=N</c> multiplies
/// them for a longer local run.</summary>
internal static class FuzzBudget
{
    private static readonly long Scale =
        long.TryParse(Environment.GetEnvironmentVariable("NETBOOT_FUZZ_SCALE"), NumberStyles.None, CultureInfo.InvariantCulture, out var scale) && scale > 0 ? scale : 1;

    public static long Iterations(long baseline) => baseline * Scale;
}
