using System.Collections.Immutable;
using System.Globalization;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tftp;

/// <summary>The transfer parameters after option negotiation, and the OACK to send (empty = no OACK).</summary>
/// <param name="BlockSize">Payload bytes per DATA (RFC 1350 default 512).</param>
/// <param name="WindowSize">Blocks in flight before an ACK is awaited (RFC 7440; 1 = lock-step).</param>
/// <param name="Timeout">The client's retransmission timeout (RFC 2349) or null for the server's default.</param>
/// <param name="TransferSize">The size announced in the OACK (RFC 2349 <c>tsize</c>), when granted.</param>
/// <param name="Acknowledged">Options for the OACK: only those asked for and granted (dnsmasq order).</param>
public sealed record TftpNegotiatedOptions(
    int BlockSize,
    int WindowSize,
    TimeSpan? Timeout,
    long? TransferSize,
    ImmutableArray<TftpOption> Acknowledged)
{
    public static TftpNegotiatedOptions Default { get; } = new(TftpNegotiation.DefaultBlockSize, 1, null, null, []);

    /// <summary>RFC 2347: an OACK is sent only when at least one option was granted; otherwise DATA 1 starts.</summary>
    public bool SendsOptionAcknowledgment => !Acknowledged.IsEmpty;
}

/// <summary>RFC 2347 option negotiation for a read request, with dnsmasq's limits (spec §1.15).</summary>
public static class TftpNegotiation
{
    public const int DefaultBlockSize = 512;
    /// <summary>RFC 2348: valid blksize values are 8..65464.</summary>
    public const int MinimumBlockSize = 8;
    public const int MaximumBlockSize = 65464;
    /// <summary>IPv4 (20) + UDP (8) + TFTP DATA header (4): blksize ≤ MTU − 32 avoids IP fragmentation.</summary>
    public const int Ipv4Overhead = 32;
    /// <summary>RFC 2349: timeout is 1..255 seconds.</summary>
    public const int MaximumTimeoutSeconds = 255;

    /// <summary>Grants what the configuration allows of the requested options.</summary>
    /// <param name="requestOptions">The RRQ options in wire order; the first occurrence of a name counts.</param>
    /// <param name="mode">The request's transfer mode.</param>
    /// <param name="fileSize">The file's size in bytes, or null when unknown (then tsize is not granted).</param>
    /// <param name="config">tftp-no-blocksize, tftp-mtu and the windowsize cap.</param>
    /// <param name="interfaceMtu">The MTU of the interface the request came in on (0 or less = unknown).</param>
    public static TftpNegotiatedOptions Negotiate(
        ReadOnlySpan<TftpOption> requestOptions, TftpTransferMode mode, long? fileSize, TftpConfig config, int interfaceMtu)
    {
        ArgumentNullException.ThrowIfNull(config);
        int? blockSize = null, windowSize = null, timeoutSeconds = null;
        long? transferSize = null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var option in requestOptions)
        {
            // RFC 2347 does not define repeated options: the first occurrence counts.
            if (!seen.Add(option.Name))
            {
                continue;
            }
            if (option.Is(TftpOptionNames.BlockSize))
            {
                blockSize = GrantBlockSize(option.Value, config, interfaceMtu);
            }
            else if (option.Is(TftpOptionNames.TransferSize))
            {
                transferSize = GrantTransferSize(mode, fileSize);
            }
            else if (option.Is(TftpOptionNames.Timeout))
            {
                timeoutSeconds = GrantTimeout(option.Value);
            }
            else if (option.Is(TftpOptionNames.WindowSize))
            {
                windowSize = GrantWindowSize(option.Value, mode, config);
            }
        }
        // dnsmasq parity (tftp.c): the OACK lists blksize, tsize, timeout, windowsize in that order, whatever the
        // request's order (RFC 2347 leaves the order open); only options asked for and granted appear.
        var granted = ImmutableArray.CreateBuilder<TftpOption>();
        AddIfGranted(granted, TftpOptionNames.BlockSize, blockSize);
        AddIfGranted(granted, TftpOptionNames.TransferSize, transferSize);
        AddIfGranted(granted, TftpOptionNames.Timeout, timeoutSeconds);
        AddIfGranted(granted, TftpOptionNames.WindowSize, windowSize);
        return new TftpNegotiatedOptions(
            blockSize ?? DefaultBlockSize,
            windowSize ?? 1,
            timeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            transferSize,
            granted.DrainToImmutable());
    }

    private static void AddIfGranted(ImmutableArray<TftpOption>.Builder granted, string name, long? value)
    {
        if (value is { } granted64)
        {
            granted.Add(new TftpOption(name, Format(granted64)));
        }
    }

    /// <summary>RFC 2348: the server may answer a smaller blksize, never a larger one; below 8 the option is
    /// invalid and ignored. dnsmasq also caps it at MTU − 32 (IPv4), the MTU itself capped by <c>tftp-mtu</c>,
    /// and ignores it entirely with <c>tftp-no-blocksize</c>.</summary>
    internal static int? GrantBlockSize(string value, TftpConfig config, int interfaceMtu)
    {
        if (config.NoBlockSize || !TryParse(value, out var requested) || requested < MinimumBlockSize)
        {
            return null;
        }
        var size = (int)Math.Min(requested, MaximumBlockSize);
        var mtu = EffectiveMtu(config, interfaceMtu);
        if (mtu is { } limit)
        {
            size = Math.Min(size, Math.Max(MinimumBlockSize, limit - Ipv4Overhead));
        }
        return size;
    }

    /// <summary>RFC 2349 §4 + dnsmasq: tsize only in octet mode (netascii changes the length), answered with
    /// the real size whatever the client sent.</summary>
    internal static long? GrantTransferSize(TftpTransferMode mode, long? fileSize) =>
        mode == TftpTransferMode.Octet && fileSize is >= 0 ? fileSize : null;

    /// <summary>RFC 2349 §3: 1..255 seconds; anything else is ignored.</summary>
    internal static int? GrantTimeout(string value) =>
        TryParse(value, out var seconds) && seconds is >= 1 and <= MaximumTimeoutSeconds ? (int)seconds : null;

    /// <summary>RFC 7440 §3: 1..65535, clamped to the configured cap (dnsmasq <c>TFTP_MAX_WINDOW</c> = 32);
    /// dnsmasq grants it in octet mode only.</summary>
    internal static int? GrantWindowSize(string value, TftpTransferMode mode, TftpConfig config)
    {
        if (mode != TftpTransferMode.Octet || !TryParse(value, out var requested) || requested is < 1 or > ushort.MaxValue)
        {
            return null;
        }
        return (int)Math.Min(requested, Math.Max(1, config.MaxWindowSize));
    }

    private static int? EffectiveMtu(TftpConfig config, int interfaceMtu)
    {
        int? mtu = interfaceMtu > 0 ? interfaceMtu : null;
        if (config.Mtu is > 0 and var cap)
        {
            mtu = mtu is { } known ? Math.Min(known, cap) : cap;
        }
        return mtu;
    }

    /// <summary>Decimal digits only (no sign, no spaces), at most 18 of them so the value fits a long.</summary>
    private static bool TryParse(string value, out long number)
    {
        number = 0;
        if (value.Length is 0 or > 18 || !value.All(char.IsAsciiDigit))
        {
            return false;
        }
        number = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
