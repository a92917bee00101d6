namespace NetBoot.Wire.Capture;

/// <summary>A timestamp unit: 10^-n or 2^-n seconds (pcapng <c>if_tsresol</c>; pcap µs/ns magic).</summary>
internal readonly record struct TimestampResolution(bool IsPowerOfTwo, int Exponent)
{
    public static readonly TimestampResolution Microseconds = new(false, 6);
    public static readonly TimestampResolution Nanoseconds = new(false, 9);

    private const long TicksPerSecond = TimeSpan.TicksPerSecond;

    /// <summary>pcapng §4.2 <c>if_tsresol</c>: the high bit selects a power of two, the rest is the exponent.</summary>
    public static TimestampResolution FromOption(byte value) => new((value & 0x80) != 0, value & 0x7F);

    /// <summary>A count of units since the Unix epoch, shifted by whole seconds (pcapng <c>if_tsoffset</c>).</summary>
    public DateTimeOffset ToTimestamp(ulong units, long offsetSeconds)
    {
        var ticks = (Int128)UnitsToTicks(units) + ((Int128)offsetSeconds * TicksPerSecond) + DateTimeOffset.UnixEpoch.Ticks;
        return ticks < 0 ? DateTimeOffset.MinValue
            : ticks > DateTimeOffset.MaxValue.Ticks ? DateTimeOffset.MaxValue
            : new DateTimeOffset((long)ticks, TimeSpan.Zero);
    }

    /// <summary>pcap: whole seconds plus a fraction in this unit.</summary>
    public DateTimeOffset ToTimestamp(uint seconds, uint fraction) => ToTimestamp((ulong)fraction, (long)seconds);

    private UInt128 UnitsToTicks(ulong units)
    {
        if (IsPowerOfTwo)
        {
            return ((UInt128)units * TicksPerSecond) >> Exponent;
        }
        if (Exponent <= 7)
        {
            return (UInt128)units * Pow10(7 - Exponent);
        }
        return Exponent - 7 > 19 ? 0 : units / Pow10(Exponent - 7);
    }

    private static ulong Pow10(int exponent)
    {
        ulong value = 1;
        for (var i = 0; i < exponent; i++)
        {
            value *= 10;
        }
        return value;
    }
}
