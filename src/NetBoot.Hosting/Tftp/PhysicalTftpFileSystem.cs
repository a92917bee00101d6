using System.Runtime.InteropServices;
using NetBoot.Engine.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>The real file system behind the engine's <see cref="ITftpFileSystem"/> (kept in Hosting: the engine does no I/O). <c>realpath</c> is computed by walking
/// the components with <see cref="FileSystemInfo.LinkTarget"/>; the file type comes from Linux <c>statx</c>
/// because .NET does not expose FIFO/device bits.</summary>
public sealed class PhysicalTftpFileSystem : ITftpFileSystem
{
    /// <summary>Linux <c>MAXSYMLINKS</c>: more links than this along one path is a loop.</summary>
    private const int MaximumSymlinks = 40;

    public static PhysicalTftpFileSystem Instance { get; } = new();

    public string? ResolveRealPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/'))
        {
            return null;
        }
        var pending = new Stack<string>(Split(path).Reverse());
        var current = "/";
        var links = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment is "" or ".")
            {
                continue;
            }
            if (segment == "..")
            {
                current = Parent(current);
                continue;
            }
            var next = current == "/" ? "/" + segment : current + "/" + segment;
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
            if (target is not null)
            {
                if (++links > MaximumSymlinks)
                {
                    return null;
                }
                foreach (var part in Split(target).Reverse())
                {
                    pending.Push(part);
                }
                if (target.StartsWith('/'))
                {
                    current = "/";
                }
                continue;
            }
            if (!Exists(next))
            {
                return null;
            }
            current = next;
        }
        return current;
    }

    public TftpFileKind GetKind(string realPath)
    {
        ArgumentNullException.ThrowIfNull(realPath);
        if (TryGetMode(realPath, out var mode))
        {
            return (mode & 0xF000) switch
            {
                0x8000 => TftpFileKind.RegularFile,
                0x4000 => TftpFileKind.Directory,
                0x2000 => TftpFileKind.CharacterDevice,
                0x6000 => TftpFileKind.BlockDevice,
                0x1000 => TftpFileKind.Fifo,
                0xC000 => TftpFileKind.Socket,
                _ => TftpFileKind.Other,
            };
        }
        // Not Linux (no statx): directories and files are all we can tell apart.
        return Directory.Exists(realPath) ? TftpFileKind.Directory
            : File.Exists(realPath) ? TftpFileKind.RegularFile
            : TftpFileKind.Missing;
    }

    public bool IsReadable(string realPath)
    {
        ArgumentNullException.ThrowIfNull(realPath);
        try
        {
            // dnsmasq parity (tftp.c check_tftp_fileperm): running as root, the file must be world-readable.
            if (Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows()
                && (File.GetUnixFileMode(realPath) & UnixFileMode.OtherRead) == 0)
            {
                return false;
            }
            // Only called for regular files (a FIFO would block here).
            using var handle = File.OpenHandle(realPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    public bool IsOwnedByServerUser(string realPath)
    {
        ArgumentNullException.ThrowIfNull(realPath);
        return TryStatx(realPath, NativeMethods.StatxUid, out var buffer)
            // struct statx: stx_uid is the __u32 at offset 20.
            ? MemoryMarshal.Read<uint>(buffer.AsSpan(20)) == NativeMethods.geteuid()
            : !OperatingSystem.IsLinux();
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static string[] Split(string path) => path.Split('/');

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private static bool TryGetMode(string path, out int mode)
    {
        mode = 0;
        if (!TryStatx(path, NativeMethods.StatxType, out var buffer))
        {
            return false;
        }
        // struct statx: stx_mode is the __u16 at offset 28 on every Linux architecture (native byte order).
        mode = MemoryMarshal.Read<ushort>(buffer.AsSpan(28));
        return true;
    }

    private static bool TryStatx(string path, uint mask, out byte[] buffer)
    {
        buffer = new byte[256];
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return NativeMethods.statx(NativeMethods.AtFdCwd, path, 0, mask, buffer) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        public const int AtFdCwd = -100;
        public const uint StatxType = 0x0001;
        public const uint StatxUid = 0x0008;

        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern uint geteuid();

        [DllImport("libc", SetLastError = true, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, [Out] byte[] statxbuf);
    }
}
