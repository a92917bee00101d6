namespace NetBoot.Engine.Tftp;

/// <summary>What a path names, after symlinks are followed.</summary>
public enum TftpFileKind
{
    Missing,
    RegularFile,
    Directory,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    Other,
}

/// <summary>The file-system questions the path policy asks. The engine stays pure: the real answers come from
/// Hosting's <c>PhysicalTftpFileSystem</c>, tests supply a fake.</summary>
public interface ITftpFileSystem
{
    /// <summary>The canonical absolute path with every symlink resolved (POSIX <c>realpath</c>), or null when
    /// the path or a link target along it does not exist.</summary>
    string? ResolveRealPath(string path);

    /// <summary>What <paramref name="realPath"/> is (symlinks followed).</summary>
    TftpFileKind GetKind(string realPath);

    /// <summary>Whether this process may read the file (dnsmasq parity: when running as root the file must also
    /// be world-readable).</summary>
    bool IsReadable(string realPath);

    /// <summary>Whether the file is owned by the user this process runs as (<c>tftp-secure</c>).</summary>
    bool IsOwnedByServerUser(string realPath) => true;
}
