using System.Runtime.InteropServices;

namespace NetBoot.Hosting.Tftp;

/// <summary>The Linux calls behind <see cref="TftpReactor"/>: epoll, eventfd, and datagram I/O on raw descriptors
/// (source-generated P/Invoke, nothing marshalled: every argument is blittable). Layouts are LP64 (x86-64, arm64).</summary>
internal static unsafe partial class TftpNative
{
    public const int EpollCloexec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDelete = 2;
    public const uint EpollIn = 0x001;
    public const int EventFdCloexec = 0x80000;
    public const int EventFdNonBlocking = 0x800;
    public const int MessageDontWait = 0x40;
    public const int ErrorInterrupted = 4;
    public const int ErrorAgain = 11;
    public const int SocketLevel = 1;
    public const int SocketMemoryInfo = 55;
    /// <summary>Index of <c>SK_MEMINFO_DROPS</c> in the <c>SO_MEMINFO</c> array.</summary>
    public const int MemoryInfoDrops = 8;

    /// <summary><c>struct epoll_event</c> is packed on x86-64 (12 bytes: events, then the 64-bit data at offset 4),
    /// naturally aligned elsewhere (16 bytes, data at offset 8).</summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary><c>struct msghdr</c> (LP64): name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48.</summary>
    public const int MessageHeaderSize = 56;
    public const int IoVectorSize = 16;
    public const int SocketAddressInSize = 16;

    public static int EpollControl(int epoll, int operation, int descriptor, ulong data)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = EpollIn;
        *(ulong*)(ev + EpollDataOffset) = data;
        return epoll_ctl(epoll, operation, descriptor, ev);
    }

#pragma warning disable CA5392 // libc is loaded by name from the system's directories.
    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int operation, int descriptor, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epoll, byte* events, int maximum, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initial, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int descriptor);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recvfrom(int descriptor, void* buffer, nuint length, int flags, void* address, uint* addressLength);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint sendmsg(int descriptor, void* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint sendto(int descriptor, void* buffer, nuint length, int flags, void* address, uint addressLength);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getsockopt(int descriptor, int level, int name, void* value, uint* length);

    [LibraryImport("libc")]
    public static partial int sched_yield();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setpriority(int which, int who, int priority);

    [LibraryImport("libc")]
    public static partial int gettid();
#pragma warning restore CA5392
}
