using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Dhcp;

/// <summary>A decoded DHCP/BOOTP message (RFC 2131 §2, fig. 1). Options from an overloaded
/// <c>file</c>/<c>sname</c> (option 52) are merged into <see cref="Options"/>, and those fields
/// are then empty; the encoder decides afresh whether to overload.</summary>
public sealed record DhcpMessage
{
    /// <summary>Minimum size of a BOOTP message on the wire (RFC 1542 §2.1); dnsmasq's MIN_PACKETSZ.</summary>
    public const int MinimumLength = 300;

    /// <summary>Length of the fixed header up to and including <c>file</c>.</summary>
    public const int FixedHeaderLength = 236;

    /// <summary>The DHCP magic cookie 99.130.83.99 (RFC 2131 §3).</summary>
    public const uint MagicCookie = 0x63825363;

    /// <summary><c>op</c></summary>
    public BootOperation Operation { get; init; } = BootOperation.BootRequest;

    /// <summary><c>htype</c> (1 = Ethernet)</summary>
    public byte HardwareType { get; init; } = 1;

    /// <summary><c>hlen</c></summary>
    public byte HardwareAddressLength { get; init; } = 6;

    /// <summary><c>hops</c></summary>
    public byte Hops { get; init; }

    /// <summary><c>xid</c></summary>
    public uint TransactionId { get; init; }

    /// <summary><c>secs</c></summary>
    public ushort SecondsElapsed { get; init; }

    /// <summary><c>flags</c>; bit 15 is BROADCAST.</summary>
    public ushort Flags { get; init; }

    public bool IsBroadcast => (Flags & 0x8000) != 0;

    /// <summary><c>ciaddr</c></summary>
    public IPv4Address ClientAddress { get; init; }

    /// <summary><c>yiaddr</c></summary>
    public IPv4Address YourAddress { get; init; }

    /// <summary><c>siaddr</c>: the next server (TFTP) address.</summary>
    public IPv4Address ServerAddress { get; init; }

    /// <summary><c>giaddr</c></summary>
    public IPv4Address RelayAgentAddress { get; init; }

    /// <summary><c>chaddr</c>: all 16 bytes as sent.</summary>
    public ImmutableArray<byte> ClientHardwareAddressField { get; init; } = ImmutableArray.Create(new byte[16]);

    /// <summary><c>chaddr</c> cut to <c>hlen</c> (at most 16).</summary>
    public HardwareAddress ClientHardwareAddress =>
        new(HardwareType, ClientHardwareAddressField.AsSpan(0, Math.Min((int)HardwareAddressLength, ClientHardwareAddressField.Length)));

    /// <summary><c>sname</c>, up to the first NUL (Latin-1).</summary>
    public string ServerName { get; init; } = string.Empty;

    /// <summary><c>file</c>, up to the first NUL (Latin-1).</summary>
    public string BootFileName { get; init; } = string.Empty;

    /// <summary>False for a plain BOOTP message without the magic cookie (then there are no options).</summary>
    public bool HasMagicCookie { get; init; } = true;

    public DhcpOptionList Options { get; init; } = DhcpOptionList.Empty;

    /// <summary>Option 53; null for BOOTP.</summary>
    public DhcpMessageType? MessageType => Options.MessageType;

    public static DhcpMessage CreateRequest(DhcpMessageType type, HardwareAddress client, uint transactionId) => new()
    {
        Operation = BootOperation.BootRequest,
        HardwareType = client.HardwareType,
        HardwareAddressLength = (byte)client.Length,
        TransactionId = transactionId,
        ClientHardwareAddressField = PadChaddr(client),
        Options = DhcpOptionList.Empty.With(DhcpOptionCode.DhcpMessageType, [(byte)type]),
    };

    public static ImmutableArray<byte> PadChaddr(HardwareAddress address)
    {
        var field = new byte[16];
        address.Bytes.AsSpan(0, Math.Min(16, address.Length)).CopyTo(field);
        return ImmutableArray.Create(field);
    }

    public bool Equals(DhcpMessage? other) =>
        other is not null
        && Operation == other.Operation && HardwareType == other.HardwareType
        && HardwareAddressLength == other.HardwareAddressLength && Hops == other.Hops
        && TransactionId == other.TransactionId && SecondsElapsed == other.SecondsElapsed && Flags == other.Flags
        && ClientAddress == other.ClientAddress && YourAddress == other.YourAddress
        && ServerAddress == other.ServerAddress && RelayAgentAddress == other.RelayAgentAddress
        && ClientHardwareAddressField.AsSpan().SequenceEqual(other.ClientHardwareAddressField.AsSpan())
        && ServerName == other.ServerName && BootFileName == other.BootFileName
        && HasMagicCookie == other.HasMagicCookie && Options.Equals(other.Options);

    public override int GetHashCode() => HashCode.Combine(TransactionId, Operation, Options.Count);
}
