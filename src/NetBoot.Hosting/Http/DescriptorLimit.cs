using System.Runtime.InteropServices;

namespace NetBoot.Hosting.Http;

/// <summary>The process's file descriptor limit (<c>RLIMIT_NOFILE</c>) and how many descriptors are open, for
/// <see cref="HttpConnectionBudget"/>. Linux only; the <c>struct rlimit</c> layout is LP64 (x86-64, arm64).</summary>
public static unsafe partial class DescriptorLimit
{
    private const int ResourceOpenFiles = 7; // RLIMIT_NOFILE on Linux (x86-64, arm64)

    /// <summary>RLIM_INFINITY.</summary>
    public const ulong Unlimited = ulong.MaxValue;

    /// <summary>The soft and hard limits; (0, 0) when they cannot be read.</summary>
    public static (ulong Soft, ulong Hard) Current()
    {
        var limit = stackalloc ulong[2];
        return getrlimit(ResourceOpenFiles, limit) == 0 ? (limit[0], limit[1]) : (0, 0);
    }

    /// <summary>Raises the soft limit to the hard one, as most servers do at start-up (the default soft limit of 1024
    /// is a relic of <c>select()</c>; the hard limit is what the administrator allows). The .NET runtime already does
    /// this when it starts; doing it here keeps the budget right if it ever stops. Returns the soft limit before and
    /// after.</summary>
    public static (ulong Before, ulong After) RaiseSoftToHard()
    {
        var (soft, hard) = Current();
        if (soft >= hard)
        {
            return (soft, soft);
        }
        var limit = stackalloc ulong[2];
        limit[0] = hard;
        limit[1] = hard;
        return setrlimit(ResourceOpenFiles, limit) == 0 ? (soft, hard) : (soft, soft);
    }

    /// <summary>The soft limit as a count (RLIM_INFINITY and anything past <see cref="long.MaxValue"/> saturate).</summary>
    public static long SoftLimit() => (long)Math.Min(Current().Soft, long.MaxValue);

    /// <summary>Descriptors open now (the entries of <c>/proc/self/fd</c>, less the one listing them).</summary>
    public static int OpenCount()
    {
        try
        {
            return Math.Max(0, Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() - 1);
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

#pragma warning disable CA5392 // libc is loaded by name from the system's directories.
    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, ulong* limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, ulong* limit);
#pragma warning restore CA5392
}
