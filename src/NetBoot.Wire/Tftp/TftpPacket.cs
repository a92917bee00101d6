using System.Collections.Immutable;

namespace NetBoot.Wire.Tftp;

/// <summary>A decoded TFTP packet (RFC 1350 §5, RFC 2347).</summary>
public abstract record TftpPacket
{
    public abstract TftpOpcode Opcode { get; }
}

/// <summary>RRQ or WRQ: <c>filename NUL mode NUL [name NUL value NUL]*</c>. Options keep wire order.</summary>
public abstract record TftpRequestPacket(string Filename, string Mode, ImmutableArray<TftpOption> Options) : TftpPacket
{
    public TftpTransferMode TransferMode => TftpModes.Parse(Mode);

    /// <summary>The first option of that name (RFC 2347 names are case-insensitive), or null.</summary>
    public string? GetOption(string name)
    {
        foreach (var option in Options)
        {
            if (option.Is(name))
            {
                return option.Value;
            }
        }
        return null;
    }

    public virtual bool Equals(TftpRequestPacket? other) =>
        other is not null && Opcode == other.Opcode && Filename == other.Filename && Mode == other.Mode
        && Options.AsSpan().SequenceEqual(other.Options.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Opcode, Filename, Mode, Options.Length);
}

/// <summary><c>RRQ</c> (opcode 1).</summary>
public sealed record TftpReadRequest(string Filename, string Mode, ImmutableArray<TftpOption> Options)
    : TftpRequestPacket(Filename, Mode, Options)
{
    public override TftpOpcode Opcode => TftpOpcode.ReadRequest;
}

/// <summary><c>WRQ</c> (opcode 2).</summary>
public sealed record TftpWriteRequest(string Filename, string Mode, ImmutableArray<TftpOption> Options)
    : TftpRequestPacket(Filename, Mode, Options)
{
    public override TftpOpcode Opcode => TftpOpcode.WriteRequest;
}

/// <summary><c>DATA</c> (opcode 3): block number and 0..blksize bytes.</summary>
public sealed record TftpDataPacket(ushort Block, ReadOnlyMemory<byte> Payload) : TftpPacket
{
    public override TftpOpcode Opcode => TftpOpcode.Data;

    public bool Equals(TftpDataPacket? other) =>
        other is not null && Block == other.Block && Payload.Span.SequenceEqual(other.Payload.Span);

    public override int GetHashCode() => HashCode.Combine(Block, Payload.Length);
}

/// <summary><c>ACK</c> (opcode 4).</summary>
public sealed record TftpAckPacket(ushort Block) : TftpPacket
{
    public override TftpOpcode Opcode => TftpOpcode.Acknowledgment;
}

/// <summary><c>ERROR</c> (opcode 5): code and message.</summary>
public sealed record TftpErrorPacket(TftpErrorCode Code, string Message) : TftpPacket
{
    public override TftpOpcode Opcode => TftpOpcode.Error;
}

/// <summary><c>OACK</c> (opcode 6, RFC 2347): the options the server accepted, in order.</summary>
public sealed record TftpOptionAckPacket(ImmutableArray<TftpOption> Options) : TftpPacket
{
    public override TftpOpcode Opcode => TftpOpcode.OptionAcknowledgment;

    public bool Equals(TftpOptionAckPacket? other) =>
        other is not null && Options.AsSpan().SequenceEqual(other.Options.AsSpan());

    public override int GetHashCode() => Options.Length;
}
