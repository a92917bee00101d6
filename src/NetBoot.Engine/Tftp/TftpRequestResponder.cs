using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tftp;

/// <summary>Whether a request on port 69 is served: the mode, the direction and the file.</summary>
/// <param name="Path">The path decision (null when refused before the path was looked at).</param>
/// <param name="ErrorCode">The ERROR to send when refused.</param>
public sealed record TftpRequestDecision(
    bool IsAccepted, TftpTransferMode Mode, TftpPathResult? Path, TftpErrorCode ErrorCode, string ErrorMessage)
{
    /// <summary>The canonical path to open when accepted.</summary>
    public string? FullPath => Path?.FullPath;
}

/// <summary>First decision on an RRQ/WRQ, before any file is opened (spec §1.15).</summary>
public static class TftpRequestResponder
{
    public static TftpRequestDecision Decide(
        TftpRequestPacket request, TftpPathPolicy policy, string? interfaceName = null, TftpClientIdentity? client = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        var mode = request.TransferMode;
        // dnsmasq parity: the server is read-only.
        if (request is TftpWriteRequest)
        {
            return Refuse(mode, TftpErrorCode.IllegalOperation, "unsupported write request");
        }
        // dnsmasq serves octet and netascii only ("unsupported request").
        if (mode is not (TftpTransferMode.Octet or TftpTransferMode.Netascii))
        {
            return Refuse(mode, TftpErrorCode.IllegalOperation, "unsupported request");
        }
        var path = policy.Resolve(request.Filename, interfaceName, client);
        return path.IsAllowed
            ? new TftpRequestDecision(true, mode, path, TftpErrorCode.NotDefined, "")
            : new TftpRequestDecision(false, mode, path, path.ErrorCode, path.ErrorMessage);
    }

    private static TftpRequestDecision Refuse(TftpTransferMode mode, TftpErrorCode code, string message) =>
        new(false, mode, null, code, message);
}
