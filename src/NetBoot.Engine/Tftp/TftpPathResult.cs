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

/// <summary>The outcome of <see cref="TftpPathPolicy.Resolve"/>: the real path to open, or a refusal with the
/// TFTP error to send. <see cref="RequestedName"/> is the client's name (the error text never reveals the root).</summary>
public sealed record TftpPathResult
{
    private TftpPathResult(string requestedName, string? fullPath, TftpPathRefusal refusal)
    {
        RequestedName = requestedName;
        FullPath = fullPath;
        Refusal = refusal;
    }

    public string RequestedName { get; }

    /// <summary>The canonical path to open (symlinks resolved); null when refused.</summary>
    public string? FullPath { get; }

    public TftpPathRefusal Refusal { get; }

    public bool IsAllowed => Refusal == TftpPathRefusal.None;

    /// <summary>dnsmasq parity (tftp.c): not found → 1 "file %s not found"; everything else → 2 "cannot access %s:
    /// Permission denied".</summary>
    public TftpErrorCode ErrorCode => Refusal switch
    {
        TftpPathRefusal.None => TftpErrorCode.NotDefined,
        TftpPathRefusal.NotFound => TftpErrorCode.FileNotFound,
        _ => TftpErrorCode.AccessViolation,
    };

    /// <summary>The ERROR message text for the client (and the log): the name escaped as <see cref="LogText"/> does,
    /// so neither can be forged by it, and it stays ASCII as RFC 1350 asks of an error message (netascii).</summary>
    public string ErrorMessage => Refusal switch
    {
        TftpPathRefusal.None => "",
        TftpPathRefusal.NotFound => $"file {LogText.Escape(RequestedName)} not found",
        _ => $"cannot access {LogText.Escape(RequestedName)}: Permission denied",
    };

    internal static TftpPathResult Allowed(string requestedName, string fullPath) => new(requestedName, fullPath, TftpPathRefusal.None);

    internal static TftpPathResult Refused(string requestedName, TftpPathRefusal refusal) => new(requestedName, null, refusal);

    public override string ToString() => IsAllowed ? $"{RequestedName} -> {FullPath}" : $"{RequestedName}: {Refusal}";
}
