using System.Runtime.InteropServices;

namespace NetBoot.Hosting.Dhcp;

/// <summary>inotify(7) and poll(2), as dnsmasq's inotify.c uses them for <c>dhcp-hostsdir</c>/<c>dhcp-optsdir</c>.</summary>
internal static unsafe partial class InotifyNative
{
    public const int NonBlocking = 0x800;
    public const int CloseOnExec = 0x80000;
    /// <summary>A file opened for writing was closed: the writer is done with it.</summary>
    public const uint CloseWrite = 0x008;
    /// <summary>A file was renamed into the directory (an atomic replace).</summary>
    public const uint MovedTo = 0x080;
    /// <summary>The watched directory itself went away.</summary>
    public const uint Ignored = 0x8000;
    public const short PollIn = 0x001;
    public const int ErrorInterrupted = 4;
    public const int ErrorAgain = 11;
    /// <summary><c>struct inotify_event</c>: wd, mask, cookie, len, then len bytes of NUL-padded name.</summary>
    public const int EventHeaderSize = 16;

#pragma warning disable CA5392 // libc is loaded by name from the system's directories.
    [LibraryImport("libc", SetLastError = true)]
    public static partial int inotify_init1(int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int inotify_add_watch(int descriptor, string path, uint mask);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int inotify_rm_watch(int descriptor, int watch);

    /// <summary><c>struct pollfd</c> is { int fd; short events; short revents; }: 8 bytes.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int poll(long* descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int descriptor);
#pragma warning restore CA5392
}
