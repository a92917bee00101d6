using System.Buffers.Binary;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Net;

/// <summary>What one datagram of a neighbour-table dump said.</summary>
internal enum NeighbourDumpStatus
{
    /// <summary>No match yet and the dump goes on: read the next datagram.</summary>
    More,

    /// <summary>A usable entry for the address was found.</summary>
    Found,

    /// <summary><c>NLMSG_DONE</c>: the whole table was read, without a match.</summary>
    Done,

    /// <summary><c>NLMSG_ERROR</c> with ENOENT: the kernel has no entry for the address asked for (the answer to a
    /// single <c>RTM_GETNEIGH</c>).</summary>
    Absent,

    /// <summary>Any other <c>NLMSG_ERROR</c> from the kernel, or a message whose length does not fit the datagram.</summary>
    Failed,
}

/// <summary>The bytes of an rtnetlink neighbour-table question (linux/netlink.h, linux/rtnetlink.h, linux/neighbour.h):
/// <c>RTM_GETNEIGH</c> for one address on one interface (Linux 5.0 and later), or with <c>NLM_F_DUMP</c> for the whole
/// table; both answered by <c>RTM_NEWNEIGH</c> messages, searched here for the address. Pure, so the format is tested without a socket. Netlink is in the host's byte order
/// (little-endian on every Linux .NET runs on), except the addresses, which are in network order.</summary>
internal static class NeighbourDump
{
    /// <summary><c>struct nlmsghdr</c>: len (4), type (2), flags (2), seq (4), pid (4).</summary>
    public const int HeaderSize = 16;

    /// <summary><c>struct ndmsg</c>: family (1), pad (3), ifindex (4), state (2), flags (1), type (1).</summary>
    public const int NeighbourMessageSize = 12;

    public const int RequestSize = HeaderSize + NeighbourMessageSize;

    /// <summary>A single get: the dump request's layout, then NDA_DST with an IPv6 address (4 + 16 bytes).</summary>
    public const int GetRequestSize = RequestSize + 4 + IPv6Address.Length;

    public const ushort MessageError = 2;
    public const ushort MessageDone = 3;
    public const ushort NewNeighbour = 28;
    public const ushort GetNeighbour = 30;

    /// <summary><c>NLM_F_REQUEST</c>.</summary>
    public const ushort Request = 0x001;

    /// <summary><c>NLM_F_REQUEST | NLM_F_DUMP</c> (<c>NLM_F_ROOT | NLM_F_MATCH</c>).</summary>
    public const ushort RequestDump = Request | 0x300;

    /// <summary>errno.h: the kernel has no such entry.</summary>
    private const int NoEntry = 2;

    public const ushort AttributeDestination = 1;
    public const ushort AttributeLinkAddress = 2;

    /// <summary>NUD_REACHABLE, NUD_STALE, NUD_DELAY, NUD_PROBE and NUD_PERMANENT: the entry holds a link-layer address.
    /// NUD_INCOMPLETE (still asking), NUD_FAILED (nobody answered), NUD_NOARP (no resolution on this link) and NUD_NONE
    /// carry none worth naming a directory after.</summary>
    public const ushort StatesWithAddress = 0x02 | 0x04 | 0x08 | 0x10 | 0x80;

    /// <summary>MAX_ADDR_LEN of linux/netdevice.h.</summary>
    private const int MaximumLinkAddressLength = 32;

    /// <summary>Writes the dump request for <paramref name="family"/> (AF_INET6 = 10) into <paramref name="destination"/>
    /// (<see cref="RequestSize"/> bytes).</summary>
    public static void WriteRequest(Span<byte> destination, byte family, uint sequence)
    {
        var request = destination[..RequestSize];
        request.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(request, RequestSize);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], GetNeighbour);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], RequestDump);
        BinaryPrimitives.WriteUInt32LittleEndian(request[8..], sequence);
        request[HeaderSize] = family;
    }

    /// <summary>Writes the request for the one IPv6 entry of <paramref name="address"/> on the interface with index
    /// <paramref name="interfaceIndex"/> into <paramref name="destination"/> (<see cref="GetRequestSize"/> bytes). The
    /// kernel refuses a get without an interface, and one with a nonzero state, type or padding.</summary>
    public static void WriteGetRequest(Span<byte> destination, IPv6Address address, int interfaceIndex, uint sequence)
    {
        var request = destination[..GetRequestSize];
        WriteRequest(request, 10, sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(request, GetRequestSize);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], Request);
        BinaryPrimitives.WriteInt32LittleEndian(request[(HeaderSize + 4)..], interfaceIndex);
        BinaryPrimitives.WriteUInt16LittleEndian(request[RequestSize..], 4 + IPv6Address.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request[(RequestSize + 2)..], AttributeDestination);
        address.WriteTo(request[(RequestSize + 4)..]);
    }

    /// <summary>Searches one datagram of the dump for a usable entry of <paramref name="family"/> whose destination is
    /// <paramref name="address"/>, on the interface with index <paramref name="interfaceIndex"/> (0: on any interface,
    /// the first one found). Untrusted lengths never read past the datagram.</summary>
    public static NeighbourDumpStatus Scan(
        ReadOnlySpan<byte> datagram, byte family, ReadOnlySpan<byte> address, int interfaceIndex, out HardwareAddress linkAddress)
    {
        linkAddress = default;
        var offset = 0;
        while (datagram.Length - offset >= HeaderSize)
        {
            var message = datagram[offset..];
            var length = BinaryPrimitives.ReadUInt32LittleEndian(message);
            if (length < HeaderSize || length > (uint)message.Length)
            {
                return NeighbourDumpStatus.Failed;
            }
            var type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
            switch (type)
            {
                case MessageDone:
                    return NeighbourDumpStatus.Done;
                case MessageError:
                    // struct nlmsgerr: a negative errno, then the request's header.
                    return length >= HeaderSize + 4 && BinaryPrimitives.ReadInt32LittleEndian(message[HeaderSize..]) == -NoEntry
                        ? NeighbourDumpStatus.Absent
                        : NeighbourDumpStatus.Failed;
                case NewNeighbour when TryMatch(message[HeaderSize..(int)length], family, address, interfaceIndex, out linkAddress):
                    return NeighbourDumpStatus.Found;
            }
            // NLMSG_ALIGN: each message starts on a 4-byte boundary.
            offset += Align(length);
        }
        return NeighbourDumpStatus.More;
    }

    /// <summary>One <c>RTM_NEWNEIGH</c> body: <c>struct ndmsg</c>, then <c>struct rtattr</c>s (len (2), type (2), value,
    /// padded to 4).</summary>
    private static bool TryMatch(ReadOnlySpan<byte> body, byte family, ReadOnlySpan<byte> address, int interfaceIndex, out HardwareAddress linkAddress)
    {
        linkAddress = default;
        if (body.Length < NeighbourMessageSize
            || body[0] != family
            || (interfaceIndex != 0 && BinaryPrimitives.ReadInt32LittleEndian(body[4..]) != interfaceIndex)
            || (BinaryPrimitives.ReadUInt16LittleEndian(body[8..]) & StatesWithAddress) == 0)
        {
            return false;
        }
        var isDestination = false;
        ReadOnlySpan<byte> link = default;
        var attributes = body[NeighbourMessageSize..];
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            if (length < 4 || length > attributes.Length)
            {
                return false;
            }
            var value = attributes[4..length];
            switch (BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]))
            {
                case AttributeDestination:
                    isDestination = value.SequenceEqual(address);
                    break;
                case AttributeLinkAddress:
                    link = value;
                    break;
            }
            attributes = attributes[Math.Min(Align(length), attributes.Length)..];
        }
        if (!isDestination || link.IsEmpty || link.Length > MaximumLinkAddressLength || !link.ContainsAnyExcept((byte)0))
        {
            return false;
        }
        // Hardware type 1 as for ARP entries (ArpTable): only the bytes name the tftp-unique-root=mac directory.
        linkAddress = HardwareAddress.Ethernet(link);
        return true;
    }

    private static int Align(uint length) => (int)((length + 3) & ~3u);
}
