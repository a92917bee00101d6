using System.Buffers.Binary;

namespace NetBoot.Testing;

/// <summary>Builds DHCP datagrams byte by byte (independently of the encoder under test): a fixed header, optional
/// magic cookie and raw bytes for the options area, <c>sname</c> and <c>file</c>.</summary>
public sealed class RawDhcpPacket
{
    public const int ServerNameOffset = 44;
    public const int BootFileOffset = 108;
    public const int OptionsOffset = 240;

    private readonly byte[] _header = new byte[236];
    private byte[] _options = [];
    private bool _cookie = true;

    public RawDhcpPacket()
    {
        _header[0] = 1;
        _header[1] = 1;
        _header[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(_header.AsSpan(4), 0x01020304);
        FrameBuilder.ClientMac.CopyTo(_header, 28);
    }

    /// <summary>Sets any header byte (offsets of RFC 2131 figure 1).</summary>
    public RawDhcpPacket Header(int offset, params byte[] bytes)
    {
        bytes.CopyTo(_header, offset);
        return this;
    }

    public RawDhcpPacket ServerNameField(params byte[] bytes) => Header(ServerNameOffset, bytes);

    public RawDhcpPacket BootFileField(params byte[] bytes) => Header(BootFileOffset, bytes);

    public RawDhcpPacket WithoutCookie()
    {
        _cookie = false;
        return this;
    }

    /// <summary>The raw options area after the cookie (include END yourself).</summary>
    public RawDhcpPacket Options(params byte[] bytes)
    {
        _options = bytes;
        return this;
    }

    public byte[] ToArray() => _cookie ? [.. _header, 99, 130, 83, 99, .. _options] : [.. _header, .. _options];
}
