using NetBoot.Wire.Rendering;
using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tftp;

/// <summary>Why a requested filename is not served.</summary>
public enum TftpPathRefusal
{
    None,
    /// <summary>The name is empty (or only slashes and dots).</summary>
    EmptyName,
    /// <summary>The name holds a NUL byte.</summary>
    NulCharacter,
    /// <summary>The name holds a control character (U+0000..U+001F, U+007F).</summary>
    ControlCharacter,
    /// <summary>A <c>..</c> segment (dnsmasq refuses any path containing <c>/../</c>).</summary>
    ParentSegment,
    /// <summary>After normalisation the path is not under the root.</summary>
    OutsideRoot,
    /// <summary>A symlink leads outside the root (allowed only with <c>FollowSymlinksOutsideRoot</c>).</summary>
    SymlinkOutsideRoot,
    /// <summary>The file does not exist.</summary>
    NotFound,
    /// <summary>A directory, device, FIFO or socket.</summary>
    NotRegularFile,
    /// <summary>Not readable by this process (or not world-readable while running as root).</summary>
    NotReadable,
    /// <summary><c>tftp-secure</c>: the file is not owned by the user the server runs as.</summary>
    NotOwnedByServer,
}

/// <summary>The outcome of <see cref="TftpPathPolicy.Resolve"/>: the real path to open, or a refusal.</summary>
/// <remarks>Every refusal gets one answer on the wire (<see cref="ErrorCode"/>, <see cref="ErrorMessage"/>; HTTP
/// answers 404 with one body): "outside the root", "not found", "not readable" and the rest are indistinguishable to a
/// client, so a client cannot probe which files exist outside the root (through a symlinked directory, say) or which
/// exist but are unreadable (issue 14). The real reason stays for the administrator: <see cref="Refusal"/> and
/// <see cref="Reason"/> go to the log. Unlike dnsmasq, which answers 2 "cannot access FILE: Permission denied" for
/// everything but a missing file.</remarks>
public sealed record TftpPathResult
{
    /// <summary>RFC 1350's own text for error code 1, the same for every refused name (it never echoes the name).</summary>
    public const string RefusalMessage = "File not found";

    private TftpPathResult(string requestedName, string? fullPath, TftpPathRefusal refusal, string? resolvedPath)
    {
        RequestedName = requestedName;
        FullPath = fullPath;
        Refusal = refusal;
        ResolvedPath = resolvedPath;
    }

    public string RequestedName { get; }

    /// <summary>The canonical path to open (symlinks resolved); null when refused.</summary>
    public string? FullPath { get; }

    public TftpPathRefusal Refusal { get; }

    /// <summary>Where a refused name led, when the file system was asked (for the log only, never for the client).</summary>
    public string? ResolvedPath { get; }

    public bool IsAllowed => Refusal == TftpPathRefusal.None;

    /// <summary>The ERROR code for the client: 1 (file not found) for every refusal.</summary>
    public TftpErrorCode ErrorCode => IsAllowed ? TftpErrorCode.NotDefined : TftpErrorCode.FileNotFound;

    /// <summary>The ERROR message text for the client: <see cref="RefusalMessage"/> for every refusal.</summary>
    public string ErrorMessage => IsAllowed ? "" : RefusalMessage;

    /// <summary>Why the name was refused, for the administrator's log (may name paths outside the root).</summary>
    public string Reason => Refusal switch
    {
        TftpPathRefusal.None => "",
        TftpPathRefusal.EmptyName => "no file named (directories are not listed)",
        TftpPathRefusal.NulCharacter => "NUL character in the name",
        TftpPathRefusal.ControlCharacter => "control character in the name",
        TftpPathRefusal.ParentSegment => "'..' in the name",
        TftpPathRefusal.OutsideRoot => "outside the root",
        TftpPathRefusal.SymlinkOutsideRoot => $"outside the root: a symlink leads to {ResolvedPath}",
        TftpPathRefusal.NotFound => "file not found",
        TftpPathRefusal.NotRegularFile => $"not a regular file: {ResolvedPath}",
        TftpPathRefusal.NotReadable => $"permission denied: {ResolvedPath} is not readable by the server (as root: not world-readable)",
        TftpPathRefusal.NotOwnedByServer => $"permission denied: {ResolvedPath} is not owned by the server's user (tftp-secure)",
        _ => Refusal.ToString(),
    };

    internal static TftpPathResult Allowed(string requestedName, string fullPath) => new(requestedName, fullPath, TftpPathRefusal.None, null);

    internal static TftpPathResult Refused(string requestedName, TftpPathRefusal refusal, string? resolvedPath = null) =>
        new(requestedName, null, refusal, resolvedPath);

    public override string ToString() => IsAllowed ? $"{RequestedName} -> {FullPath}" : $"{RequestedName}: {Refusal}";
}
