namespace NetBoot.Wire.Tftp;

/// <summary>TFTP opcodes (RFC 1350 §5, RFC 2347 for OACK).</summary>
public enum TftpOpcode : ushort
{
    /// <summary><c>RRQ</c></summary>
    ReadRequest = 1,
    /// <summary><c>WRQ</c></summary>
    WriteRequest = 2,
    /// <summary><c>DATA</c></summary>
    Data = 3,
    /// <summary><c>ACK</c></summary>
    Acknowledgment = 4,
    /// <summary><c>ERROR</c></summary>
    Error = 5,
    /// <summary><c>OACK</c> (RFC 2347)</summary>
    OptionAcknowledgment = 6,
}

/// <summary>ERROR packet codes: RFC 1350 appendix (0..7) and RFC 2347 (8).</summary>
public enum TftpErrorCode : ushort
{
    /// <summary>Not defined, see error message.</summary>
    NotDefined = 0,
    FileNotFound = 1,
    AccessViolation = 2,
    /// <summary>Disk full or allocation exceeded.</summary>
    DiskFull = 3,
    /// <summary>Illegal TFTP operation.</summary>
    IllegalOperation = 4,
    /// <summary>Unknown transfer ID (wrong source port).</summary>
    UnknownTransferId = 5,
    FileAlreadyExists = 6,
    NoSuchUser = 7,
    /// <summary>RFC 2347: the client refuses the OACK (also how PXE ROMs end a <c>tsize</c> probe).</summary>
    OptionNegotiationFailed = 8,
}

/// <summary>The transfer mode of a request (RFC 1350 §5: case-insensitive <c>netascii</c>, <c>octet</c>, <c>mail</c>).</summary>
public enum TftpTransferMode
{
    Unknown,
    Octet,
    Netascii,
    /// <summary>Obsolete (RFC 1350 §1); never served.</summary>
    Mail,
}

/// <summary>Why a datagram is not a well-formed TFTP packet.</summary>
public enum TftpDecodeError
{
    None,
    /// <summary>Shorter than the opcode plus the fixed fields of its packet type.</summary>
    TooShort,
    /// <summary>The opcode is not 1..6.</summary>
    UnknownOpcode,
    /// <summary>RRQ/WRQ: the filename is not NUL-terminated.</summary>
    MissingFilenameTerminator,
    /// <summary>RRQ/WRQ: the filename is empty.</summary>
    EmptyFilename,
    /// <summary>RRQ/WRQ: the filename is not valid UTF-8 (we cannot map it to a path faithfully).</summary>
    InvalidFilenameEncoding,
    /// <summary>RRQ/WRQ: the mode is missing or not NUL-terminated.</summary>
    MissingModeTerminator,
    /// <summary>RRQ/WRQ: the mode string is empty.</summary>
    EmptyMode,
    /// <summary>An option name or value is not NUL-terminated.</summary>
    MissingOptionTerminator,
    /// <summary>An option name has no value (odd number of strings after the mode).</summary>
    OddOptionList,
    /// <summary>An option name is empty while data follows.</summary>
    EmptyOptionName,
    /// <summary>An option name or value contains bytes outside printable ASCII.</summary>
    InvalidOptionText,
}

/// <summary>One RFC 2347 option as it appears on the wire (name compared case-insensitively).</summary>
public readonly record struct TftpOption(string Name, string Value)
{
    public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"{Name}={Value}";
}

/// <summary>Option names defined by RFC 2348 (blksize), RFC 2349 (timeout, tsize) and RFC 7440 (windowsize).</summary>
public static class TftpOptionNames
{
    public const string BlockSize = "blksize";
    public const string TransferSize = "tsize";
    public const string Timeout = "timeout";
    public const string WindowSize = "windowsize";
}

/// <summary>Transfer-mode strings (RFC 1350 §5).</summary>
public static class TftpModes
{
    public const string Octet = "octet";
    public const string Netascii = "netascii";
    public const string Mail = "mail";

    /// <summary>RFC 1350 §5: the mode is case-insensitive.</summary>
    public static TftpTransferMode Parse(string mode) => mode.ToLowerInvariant() switch
    {
        Octet => TftpTransferMode.Octet,
        Netascii => TftpTransferMode.Netascii,
        Mail => TftpTransferMode.Mail,
        _ => TftpTransferMode.Unknown,
    };
}
