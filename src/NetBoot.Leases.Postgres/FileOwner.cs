using System.Runtime.InteropServices;

namespace NetBoot.Leases.Postgres;

/// <summary>A file's owner and mode through <c>statx(2)</c>, whose layout (unlike <c>struct stat</c>) is the same on every
/// Linux architecture; .NET has no API for a file's owner.</summary>
internal static class FileOwner
{
    private const int AtFdCwd = -100;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;
    private const int StatxSize = 256;
    private const int UidOffset = 20;
    private const int ModeOffset = 28;

    public static uint EffectiveUserId => NativeMethods.geteuid();

    /// <summary>Follows symbolic links, as opening the file does.</summary>
    public static bool TryGet(string path, out uint owner, out int mode, out int errno)
    {
        var buffer = new byte[StatxSize];
        if (NativeMethods.statx(AtFdCwd, path, 0, StatxMode | StatxUid, buffer) != 0)
        {
            (owner, mode, errno) = (0, 0, Marshal.GetLastPInvokeError());
            return false;
        }
        // The kernel fills the structure in the machine's own byte order.
        owner = MemoryMarshal.Read<uint>(buffer.AsSpan(UidOffset));
        mode = MemoryMarshal.Read<ushort>(buffer.AsSpan(ModeOffset));
        errno = 0;
        return true;
    }

    public static bool IsRegularFile(int mode) => (mode & 0xF000) == 0x8000;

    // DllImport rather than LibraryImport (as in Hosting's ArpCache): the latter needs AllowUnsafeBlocks; a byte[] is blittable.
    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern uint geteuid();
    }
}
