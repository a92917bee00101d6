using System.Buffers.Binary;
using NetBoot.Hosting.Net;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Addresses;

/// <summary>The rtnetlink neighbour dump over hand-built bytes (linux/netlink.h, linux/neighbour.h layouts).</summary>
public class NeighbourDumpTests
{
    private const byte Inet = 2;
    private const byte Inet6 = 10;
    private const ushort Reachable = 0x02;
    private const ushort Stale = 0x04;
    private const ushort Incomplete = 0x01;
    private const ushort Failed = 0x20;
    private const ushort NoArp = 0x40;
    private const ushort Permanent = 0x80;

    private static readonly byte[] s_client = IPv6Address.Parse("fd00:78::1").ToBytes();
    private static readonly byte[] s_linkLocal = IPv6Address.Parse("fe80::78:1").ToBytes();
    private static readonly byte[] s_mac = [0x52, 0x54, 0x00, 0xab, 0xcd, 0x01];

    /// <summary>One netlink message: nlmsghdr, then the body padded to 4 bytes.</summary>
    private static byte[] Message(ushort type, byte[] body)
    {
        var message = new byte[(16 + body.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)(16 + body.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), 0x2); // NLM_F_MULTI
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), 1);
        body.CopyTo(message, 16);
        return message;
    }

    private static byte[] Attribute(ushort type, byte[] value)
    {
        var attribute = new byte[(4 + value.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(attribute.AsSpan(2), type);
        value.CopyTo(attribute, 4);
        return attribute;
    }

    /// <summary>An RTM_NEWNEIGH: ndmsg, NDA_DST, NDA_LLADDR (when given), NDA_CACHEINFO-like filler the parser skips.</summary>
    private static byte[] Neighbour(byte family, int interfaceIndex, ushort state, byte[] destination, byte[]? linkAddress)
    {
        var header = new byte[12];
        header[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), interfaceIndex);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), state);
        header[11] = 1; // RTN_UNICAST
        byte[] body = [.. header, .. Attribute(1, destination), .. linkAddress is null ? [] : Attribute(2, linkAddress), .. Attribute(3, new byte[16])];
        return Message(28, body);
    }

    private static byte[] Done() => Message(3, new byte[4]);

    private static (NeighbourDumpStatus Status, string? Mac) Scan(byte[] datagram, byte[] address, int interfaceIndex = 0)
    {
        var status = NeighbourDump.Scan(datagram, Inet6, address, interfaceIndex, out var mac);
        return (status, status == NeighbourDumpStatus.Found ? mac.ToString() : null);
    }

    [Fact]
    public void The_request_is_a_dump_of_the_family_asked_for()
    {
        var request = new byte[NeighbourDump.RequestSize];
        NeighbourDump.WriteRequest(request, Inet6, 7);

        Assert.Equal(
            "1C000000" + "1E00" + "0103" + "07000000" + "00000000" + "0A000000" + "00000000" + "0000" + "00" + "00",
            Convert.ToHexString(request));
    }

    [Fact]
    public void The_single_get_names_the_address_and_the_interface()
    {
        var request = new byte[NeighbourDump.GetRequestSize];
        NeighbourDump.WriteGetRequest(request, IPv6Address.Parse("fd00:78::1"), 5, 7);

        Assert.Equal(
            "30000000" + "1E00" + "0100" + "07000000" + "00000000" + "0A000000" + "05000000" + "0000" + "00" + "00"
            + "1400" + "0100" + "FD000078000000000000000000000001",
            Convert.ToHexString(request));
    }

    /// <summary>The answer to a single get for an address the kernel does not hold is NLMSG_ERROR with -ENOENT: an
    /// answer (no entry), unlike any other error.</summary>
    [Fact]
    public void NLMSG_ERROR_with_ENOENT_says_the_entry_is_absent()
    {
        var absent = Message(2, [0xFE, 0xFF, 0xFF, 0xFF, .. new byte[16]]);

        Assert.Equal((NeighbourDumpStatus.Absent, null), Scan(absent, s_client));
    }

    /// <summary>A dump spans datagrams: the first two hold other neighbours (More), the third the client (Found); a dump
    /// without it ends on NLMSG_DONE (Done).</summary>
    [Fact]
    public void A_multi_part_dump_is_read_datagram_by_datagram_until_the_entry_or_NLMSG_DONE()
    {
        byte[] first = [.. Neighbour(Inet6, 2, Reachable, IPv6Address.Parse("fd00:78::9").ToBytes(), [0x52, 0x54, 0, 0, 0, 9]),
            .. Neighbour(Inet6, 2, Stale, s_linkLocal, [0x52, 0x54, 0, 0, 0, 8])];
        byte[] second = [.. Neighbour(Inet6, 3, Permanent, IPv6Address.Parse("fd00:79::1").ToBytes(), [0x52, 0x54, 0, 0, 0, 7])];
        byte[] third = [.. Neighbour(Inet6, 2, Stale, s_client, s_mac), .. Done()];

        Assert.Equal((NeighbourDumpStatus.More, null), Scan(first, s_client));
        Assert.Equal((NeighbourDumpStatus.More, null), Scan(second, s_client));
        Assert.Equal((NeighbourDumpStatus.Found, "52:54:00:ab:cd:01"), Scan(third, s_client));
        Assert.Equal((NeighbourDumpStatus.Done, null), Scan(third, IPv6Address.Parse("fd00:78::42").ToBytes()));
    }

    /// <summary>NUD_INCOMPLETE (still soliciting, no address), NUD_FAILED (nobody answered) and NUD_NOARP entries give no
    /// MAC even with an NDA_LLADDR; nor does an all-zero link-layer address or a missing one.</summary>
    [Theory]
    [InlineData(Incomplete, true)]
    [InlineData(Failed, true)]
    [InlineData(NoArp, true)]
    [InlineData(0, true)]
    [InlineData(Incomplete, false)]
    [InlineData(Reachable, false)]
    public void Entries_without_a_usable_link_layer_address_are_skipped(ushort state, bool withLinkAddress)
    {
        byte[] datagram = [.. Neighbour(Inet6, 2, state, s_client, withLinkAddress ? s_mac : null), .. Done()];

        Assert.Equal((NeighbourDumpStatus.Done, null), Scan(datagram, s_client));
    }

    [Fact]
    public void An_all_zero_link_layer_address_is_skipped()
    {
        byte[] datagram = [.. Neighbour(Inet6, 2, Stale, s_client, new byte[6]), .. Done()];

        Assert.Equal((NeighbourDumpStatus.Done, null), Scan(datagram, s_client));
    }

    /// <summary>An AF_INET entry is not an IPv6 neighbour, even where its address bytes would match.</summary>
    [Fact]
    public void An_IPv4_entry_is_ignored()
    {
        byte[] datagram = [.. Neighbour(Inet, 2, Reachable, s_client, s_mac), .. Done()];

        Assert.Equal((NeighbourDumpStatus.Done, null), Scan(datagram, s_client));
    }

    /// <summary>The same link-local address is a neighbour on two links: the arrival interface picks the entry; with
    /// no interface known the first one is taken.</summary>
    [Fact]
    public void The_interface_index_scopes_the_entry()
    {
        byte[] datagram = [.. Neighbour(Inet6, 3, Stale, s_linkLocal, [0x52, 0x54, 0, 0, 0, 3]),
            .. Neighbour(Inet6, 5, Stale, s_linkLocal, [0x52, 0x54, 0, 0, 0, 5]), .. Done()];

        Assert.Equal((NeighbourDumpStatus.Found, "52:54:00:00:00:05"), Scan(datagram, s_linkLocal, 5));
        Assert.Equal((NeighbourDumpStatus.Found, "52:54:00:00:00:03"), Scan(datagram, s_linkLocal, 3));
        Assert.Equal((NeighbourDumpStatus.Found, "52:54:00:00:00:03"), Scan(datagram, s_linkLocal, 0));
        Assert.Equal((NeighbourDumpStatus.Done, null), Scan(datagram, s_linkLocal, 4));
    }

    [Fact]
    public void NLMSG_ERROR_fails_the_lookup()
    {
        var error = Message(2, [0xED, 0xFF, 0xFF, 0xFF, .. new byte[16]]); // -EPERM and the request's header

        Assert.Equal((NeighbourDumpStatus.Failed, null), Scan(error, s_client));
    }

    /// <summary>Untrusted lengths: every truncation of a valid datagram, and lengths past the end, are answered without
    /// throwing and without a match read from outside the message.</summary>
    [Fact]
    public void Truncated_or_inconsistent_messages_never_throw_nor_match()
    {
        byte[] datagram = [.. Neighbour(Inet6, 2, Stale, s_client, s_mac), .. Done()];
        var first = Neighbour(Inet6, 2, Stale, s_client, s_mac).Length;
        for (var length = 0; length < first; length++)
        {
            Assert.NotEqual(NeighbourDumpStatus.Found, Scan(datagram[..length], s_client).Status);
        }

        var oversized = (byte[])datagram.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(oversized, (uint)datagram.Length + 1);
        Assert.Equal(NeighbourDumpStatus.Failed, Scan(oversized, s_client).Status);
        var undersized = (byte[])datagram.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(undersized, 15);
        Assert.Equal(NeighbourDumpStatus.Failed, Scan(undersized, s_client).Status);
        // An attribute claiming more than its message holds ends the entry unmatched.
        var badAttribute = (byte[])datagram.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(badAttribute.AsSpan(16 + 12), 200);
        Assert.Equal(NeighbourDumpStatus.Done, Scan(badAttribute, s_client).Status);
    }
}
