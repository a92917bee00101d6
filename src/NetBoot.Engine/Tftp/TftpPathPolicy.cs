using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tftp;

/// <summary>Who asked, for <c>tftp-unique-root</c>: the client's address and, when known (from the kernel's ARP table, or its
/// IPv6 neighbour table for a client over IPv6), its MAC.</summary>
public readonly record struct TftpClientIdentity(IPv4Address Address, HardwareAddress? HardwareAddress = null)
{
    /// <summary>Set for a client that asked over IPv6 (then <see cref="Address"/> is unused).</summary>
    public IPv6Address? IPv6Address { get; init; }

    /// <summary>The directory name of <c>tftp-unique-root=ip</c>: dnsmasq (tftp.c) appends the peer's address as
    /// inet_ntop writes it, for either family.</summary>
    public string AddressText => IPv6Address?.ToString() ?? Address.ToString();
}

/// <summary>Maps a requested TFTP filename to a file under the TFTP root, or refuses it (spec §1.15).
/// Lexical rules first (no file system), then realpath, containment, file type and readability through
/// <see cref="ITftpFileSystem"/>. Percent-encoding is never decoded and Unicode is never normalised: a name
/// such as <c>%2e%2e</c> or <c>．．</c> is a literal filename.</summary>
public sealed class TftpPathPolicy
{
    private readonly TftpConfig _config;
    private readonly ITftpFileSystem _fileSystem;

    public TftpPathPolicy(TftpConfig config, ITftpFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(fileSystem);
        _config = config;
        _fileSystem = fileSystem;
    }

    /// <summary>The root for a request that arrived on <paramref name="interfaceName"/>: <c>tftp-root=DIR,IFACE</c>
    /// overrides the global root; without any root dnsmasq serves from <c>/</c> (spec §1.15, kept for parity).</summary>
    public string GetRoot(string? interfaceName)
    {
        var configured = interfaceName is not null && _config.InterfaceRoots.TryGetValue(interfaceName, out var perInterface)
            ? perInterface
            : _config.Root;
        return NormaliseRoot(configured ?? "/");
    }

    /// <summary>Resolves <paramref name="requestedName"/> (the RRQ filename) for a client on <paramref name="interfaceName"/>.</summary>
    public TftpPathResult Resolve(string requestedName, string? interfaceName = null, TftpClientIdentity? client = null)
    {
        ArgumentNullException.ThrowIfNull(requestedName);
        var root = GetRoot(interfaceName);
        var lexical = ResolveLexically(requestedName, root, client);
        if (lexical.Refusal != TftpPathRefusal.None)
        {
            return TftpPathResult.Refused(requestedName, lexical.Refusal);
        }
        var refusal = CheckFileSystem(lexical.Path!, root, out var realPath);
        return refusal == TftpPathRefusal.None
            ? TftpPathResult.Allowed(requestedName, realPath!)
            : TftpPathResult.Refused(requestedName, refusal, realPath);
    }

    private (string? Path, TftpPathRefusal Refusal) ResolveLexically(string requestedName, string root, TftpClientIdentity? client)
    {
        var characterRefusal = CheckCharacters(requestedName);
        if (characterRefusal != TftpPathRefusal.None)
        {
            return (null, characterRefusal);
        }
        // dnsmasq parity: '\' is always a separator (Windows-built NBPs ask for "boot\bcd").
        var name = requestedName.Replace('\\', '/');
        if (_config.LowerCase)
        {
            name = name.ToLowerInvariant();
        }
        var segments = name.Split('/');
        // dnsmasq parity: any path containing "/../" is refused outright, never normalised away.
        if (segments.Contains(".."))
        {
            return (null, TftpPathRefusal.ParentSegment);
        }
        var kept = segments.Where(s => s is not ("" or ".")).ToArray();
        if (kept.Length == 0)
        {
            return (null, TftpPathRefusal.EmptyName);
        }
        // A trailing '/' names a directory, never a file to serve (POSIX open() would fail with ENOTDIR).
        if (name.EndsWith('/'))
        {
            return (null, TftpPathRefusal.NotRegularFile);
        }
        var baseDirectory = StartsWithRoot(name, root) ? root : Join(root, UniqueDirectory(root, client));
        // An absolute name that already begins with the full root is used verbatim (dnsmasq tftp.c); any other
        // leading '/' is dropped, so "/etc/passwd" means <root>/etc/passwd.
        var relative = StartsWithRoot(name, root) ? kept[CountSegments(root)..] : kept;
        var path = Join(baseDirectory, string.Join('/', relative));
        return IsInside(path, root) ? (path, TftpPathRefusal.None) : (null, TftpPathRefusal.OutsideRoot);
    }

    private TftpPathRefusal CheckFileSystem(string path, string root, out string? realPath)
    {
        realPath = _fileSystem.ResolveRealPath(path);
        if (realPath is null)
        {
            return TftpPathRefusal.NotFound;
        }
        var realRoot = _fileSystem.ResolveRealPath(root) ?? root;
        if (!_config.FollowSymlinksOutsideRoot && !IsInside(realPath, realRoot))
        {
            return TftpPathRefusal.SymlinkOutsideRoot;
        }
        var kind = _fileSystem.GetKind(realPath);
        if (kind == TftpFileKind.Missing)
        {
            return TftpPathRefusal.NotFound;
        }
        if (kind != TftpFileKind.RegularFile)
        {
            return TftpPathRefusal.NotRegularFile;
        }
        // dnsmasq parity (tftp.c): with tftp-secure only files owned by the server's user are served. dnsmasq skips
        // this check when running as root (it then asks for world-readable files); NetBoot applies it always.
        if (_config.IsSecure && !_fileSystem.IsOwnedByServerUser(realPath))
        {
            return TftpPathRefusal.NotOwnedByServer;
        }
        return _fileSystem.IsReadable(realPath) ? TftpPathRefusal.None : TftpPathRefusal.NotReadable;
    }

    /// <summary><c>tftp-unique-root[=ip|mac]</c>: the client's own subdirectory, used only if it exists.</summary>
    private string UniqueDirectory(string root, TftpClientIdentity? client)
    {
        if (client is not { } identity)
        {
            return "";
        }
        var name = _config.UniqueRoot switch
        {
            TftpUniqueRoot.ByClientAddress => identity.AddressText,
            TftpUniqueRoot.ByHardwareAddress when identity.HardwareAddress is { Length: > 0 } mac =>
                string.Join('-', mac.Bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))),
            _ => "",
        };
        if (name.Length == 0)
        {
            return "";
        }
        var directory = Join(root, name);
        var real = _fileSystem.ResolveRealPath(directory);
        return real is not null && _fileSystem.GetKind(real) == TftpFileKind.Directory ? name : "";
    }

    private static TftpPathRefusal CheckCharacters(string name)
    {
        if (name.Length == 0)
        {
            return TftpPathRefusal.EmptyName;
        }
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            return TftpPathRefusal.NulCharacter;
        }
        return name.Any(char.IsControl) ? TftpPathRefusal.ControlCharacter : TftpPathRefusal.None;
    }

    /// <summary>True when <paramref name="name"/> begins with the whole root followed by '/' (a bare prefix such
    /// as <c>/srv/tftpfoo</c> for root <c>/srv/tftp</c> does not count, unlike dnsmasq's plain strncmp).</summary>
    private static bool StartsWithRoot(string name, string root) =>
        root != "/" && name.StartsWith(root + "/", StringComparison.Ordinal);

    private static bool IsInside(string path, string root) =>
        root == "/" ? path.StartsWith('/') : path == root || path.StartsWith(root + "/", StringComparison.Ordinal);

    private static int CountSegments(string root) => root.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Join(string directory, string relative) =>
        relative.Length == 0 ? directory
        : directory == "/" ? "/" + relative
        : directory + "/" + relative;

    /// <summary>The configured root as an absolute path without '.', '..', empty segments or a trailing '/';
    /// a relative root is taken from '/' (dnsmasq runs with its working directory at '/').</summary>
    internal static string NormaliseRoot(string root)
    {
        var stack = new List<string>();
        foreach (var segment in root.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }
                continue;
            }
            stack.Add(segment);
        }
        return "/" + string.Join('/', stack);
    }
}
