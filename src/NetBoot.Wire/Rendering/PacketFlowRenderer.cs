using System.Globalization;
using NetBoot.Wire.Capture;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;
using NetBoot.Wire.Tftp;

namespace NetBoot.Wire.Rendering;

/// <summary>Renders the frames of one capture in order. It keeps the little state a reader needs:
/// which transactions belong to PXE clients (so option 43 of a reply is read as PXE sub-options) and
/// which UDP endpoints carry a TFTP transfer (RFC 1350 §4: the transfer leaves port 69 for new ports).</summary>
public sealed class PacketFlowRenderer
{
    private const ushort BootpServerPort = 67;
    private const ushort BootpClientPort = 68;
    private const ushort PxeBootServerPort = 4011;
    private const ushort TftpPort = 69;

    /// <summary>How much of a damaged TFTP packet is echoed, so a fuzzed 64 KiB datagram stays one readable line.</summary>
    private const int MaxDamagedBytesShown = 64;

    private const int ChaddrOffset = 28;
    private const int ChaddrLength = 16;

    private readonly RenderWriter _writer;
    private readonly HashSet<uint> _pxeTransactions = [];
    private readonly Dictionary<(IPv4Address Address, ushort Port), int> _tftpClients = [];
    private DateTimeOffset? _start;
    private bool _lastWasBlock;
    private bool _wroteAny;

    public PacketFlowRenderer(RenderWriter writer) => _writer = writer;

    /// <summary>Digits the frame numbers are padded to, so the columns line up.</summary>
    public int FrameNumberWidth { get; init; } = 1;

    public int DhcpCount { get; private set; }

    public int TftpCount { get; private set; }

    public int DamagedCount { get; private set; }

    /// <summary>ICMPv6 Router Solicitations and Advertisements shown.</summary>
    public int RouterMessageCount { get; private set; }

    /// <summary>Frames neither DHCP nor TFTP, by kind ("ARP", "UDP port 546", …), for the summary.</summary>
    public SortedDictionary<string, int> Others { get; } = new(StringComparer.Ordinal);

    /// <summary>Renders one captured frame: DHCP and TFTP in full, damage with its reason, the rest counted.</summary>
    public void Render(CaptureFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        _start ??= frame.Timestamp;
        if (UdpDatagramExtractor.TryExtractPartial(frame, out var datagram, out var error))
        {
            Render(datagram);
            return;
        }
        if (error == FrameError.NotIPv4 && Ip6PacketExtractor.TryExtract(frame, out var ipv6) && TryRenderIpv6(ipv6))
        {
            return;
        }
        if (FrameKinds.IsDamage(error))
        {
            DamagedCount++;
            Block(Prefix(frame.Number, frame.Timestamp) + "damaged frame: " + FrameKinds.Describe(frame, error));
            return;
        }
        CountOther(FrameKinds.Name(frame, error));
    }

    /// <summary>Renders one UDP datagram (the first one seen sets time zero).</summary>
    public void Render(UdpDatagram datagram)
    {
        _start ??= datagram.Timestamp;
        if (IsDhcpPort(datagram.SourcePort) || IsDhcpPort(datagram.DestinationPort))
        {
            RenderDhcp(datagram);
        }
        else if (IsTftp(datagram))
        {
            RenderTftp(datagram);
        }
        else
        {
            CountOther(FrameKinds.UdpName(datagram));
        }
    }

    /// <summary>DHCPv6 (RFC 8415 §7.2: clients on 546, servers and relays on 547) and ICMPv6 RS/RA (RFC 4861 §4.1, §4.2);
    /// false for other IPv6 packets, which are counted as "IPv6".</summary>
    private bool TryRenderIpv6(Ip6Datagram datagram)
    {
        if (datagram.HasPort(546) || datagram.HasPort(547))
        {
            RenderDhcp6(datagram);
            return true;
        }
        var message = datagram.Payload.Span;
        if (!datagram.IsIcmp6 || message.IsEmpty || message[0] is not ((byte)Icmp6Type.RouterSolicitation or (byte)Icmp6Type.RouterAdvertisement))
        {
            return false;
        }
        RenderRouterMessage(datagram);
        return true;
    }

    private void RenderDhcp6(Ip6Datagram datagram)
    {
        DhcpCount++;
        var prefix = Prefix(datagram.FrameNumber, datagram.Timestamp)
            + string.Create(CultureInfo.InvariantCulture, $"[{datagram.Source}]:{datagram.SourcePort} -> [{datagram.Destination}]:{datagram.DestinationPort}  ");
        var payload = datagram.Payload.Span;
        if (!Dhcp6MessageDecoder.TryDecode(payload, out var packet, out var error))
        {
            DamagedCount++;
            Block(prefix + string.Create(CultureInfo.InvariantCulture, $"DHCPv6 damaged: {error}, {ValueText.Plural(payload.Length, "byte")}"));
            return;
        }
        Block(prefix + Dhcp6MessageRenderer.Summary(packet));
        _writer.Indent += 2;
        Dhcp6MessageRenderer.RenderBody(_writer, packet);
        _writer.Indent -= 2;
    }

    private void RenderRouterMessage(Ip6Datagram datagram)
    {
        RouterMessageCount++;
        var message = datagram.Payload.Span;
        var prefix = Prefix(datagram.FrameNumber, datagram.Timestamp) + $"{datagram.Source} -> {datagram.Destination}  ";
        // RFC 4861 §6.1.1, §6.1.2: a receiver drops a bad checksum or a hop limit other than 255.
        var error = Icmp6DecodeError.None;
        var notes = (Icmp6Checksum.IsValid(datagram.Source, datagram.Destination, message) ? "" : "  [bad checksum]")
            + (datagram.HopLimit == 255 ? "" : string.Create(CultureInfo.InvariantCulture, $"  [hop limit {datagram.HopLimit}, not 255]"));
        if (message[0] == (byte)Icmp6Type.RouterAdvertisement && NeighborDiscoveryDecoder.TryDecodeRouterAdvertisement(message, out var advertisement, out error))
        {
            Block(prefix + NeighborDiscoveryRenderer.Summary(advertisement) + notes);
            _writer.Indent += 2;
            NeighborDiscoveryRenderer.RenderBody(_writer, advertisement);
            _writer.Indent -= 2;
            return;
        }
        if (message[0] == (byte)Icmp6Type.RouterSolicitation && NeighborDiscoveryDecoder.TryDecodeRouterSolicitation(message, out var solicitation, out error))
        {
            Block(prefix + NeighborDiscoveryRenderer.Summary(solicitation) + notes);
            _writer.Indent += 2;
            NeighborDiscoveryRenderer.RenderBody(_writer, solicitation);
            _writer.Indent -= 2;
            return;
        }
        DamagedCount++;
        Block(prefix + string.Create(CultureInfo.InvariantCulture, $"ICMPv6 type {message[0]} damaged: {error}, {ValueText.Plural(message.Length, "byte")}"));
    }

    // RFC 2131 §4.1 ports 67/68; PXE 2.1 §2.2.6 boot server requests go to port 4011.
    private static bool IsDhcpPort(ushort port) => port is BootpServerPort or BootpClientPort or PxeBootServerPort;

    private bool IsTftp(UdpDatagram datagram) =>
        datagram.DestinationPort == TftpPort
        || datagram.SourcePort == TftpPort
        || _tftpClients.ContainsKey((datagram.Source, datagram.SourcePort))
        || _tftpClients.ContainsKey((datagram.Destination, datagram.DestinationPort));

    private void RenderDhcp(UdpDatagram datagram)
    {
        DhcpCount++;
        var prefix = Prefix(datagram);
        var payload = datagram.Payload.Span;
        if (!DhcpMessageDecoder.TryDecode(payload, out var message, out var error))
        {
            DamagedCount++;
            Block(prefix + string.Create(CultureInfo.InvariantCulture,
                $"DHCP damaged: {error} ({Describe(error)}), {ValueText.Plural(payload.Length, "byte")}{PartialNote(datagram)}"));
            if (DamagedHeaderHint(payload) is { } hint)
            {
                _writer.Line("    " + hint);
            }
            return;
        }
        var isPxe = IsPxe(message);
        CountPartial(datagram);
        Block(prefix + DhcpMessageRenderer.Summary(message) + RoleNote(datagram, message) + PartialNote(datagram));
        _writer.Indent += 2;
        DhcpMessageRenderer.RenderBody(_writer, message, isPxe, OverloadProbe.TryFind(payload, out var overload) ? overload : null);
        _writer.Indent -= 2;
    }

    /// <summary>Names the two PXE roles an administrator looks for: the boot server on port 4011 (PXE 2.1 §2.2.6)
    /// and a proxyDHCP offer (PXE 2.1 §2.2.4: vendor class "PXEClient", PXE options, no address offered).</summary>
    private static string RoleNote(UdpDatagram datagram, DhcpMessage message)
    {
        if (datagram.HasPort(PxeBootServerPort))
        {
            return "  [PXE boot server, port 4011]";
        }
        var isProxyOffer = message.Operation == BootOperation.BootReply
            && message.YourAddress.IsZero
            && message.Options.TryGetString(DhcpOptionCode.VendorClassIdentifier, out var vendorClass)
            && vendorClass.StartsWith("PXEClient", StringComparison.Ordinal);
        return isProxyOffer ? "  [proxyDHCP: PXE options, no address]" : string.Empty;
    }

    /// <summary>PXE 2.1 §2.2.5: option 43 holds PXE sub-options when option 60 starts with "PXEClient";
    /// a server's reply to such a client may omit option 60, so the client's transaction id is remembered.</summary>
    private bool IsPxe(DhcpMessage message)
    {
        var saysPxe = message.Options.TryGetString(DhcpOptionCode.VendorClassIdentifier, out var vendorClass)
            && vendorClass.StartsWith("PXEClient", StringComparison.Ordinal);
        if (saysPxe && message.Operation == BootOperation.BootRequest)
        {
            _pxeTransactions.Add(message.TransactionId);
        }
        return saysPxe || (message.Operation == BootOperation.BootReply && _pxeTransactions.Contains(message.TransactionId));
    }

    private void RenderTftp(UdpDatagram datagram)
    {
        TftpCount++;
        var payload = datagram.Payload.Span;
        var fromClient = datagram.DestinationPort == TftpPort || _tftpClients.ContainsKey((datagram.Source, datagram.SourcePort));
        var client = fromClient ? (datagram.Source, datagram.SourcePort) : (datagram.Destination, datagram.DestinationPort);
        if (datagram.DestinationPort == TftpPort)
        {
            // A new request starts a new transfer on this client port, with the default block size.
            _tftpClients[client] = TftpPacketRenderer.DefaultBlockSize;
        }
        var blockSize = _tftpClients.GetValueOrDefault(client, TftpPacketRenderer.DefaultBlockSize);
        var ok = TftpPacketDecoder.TryDecode(payload, out var packet, out var error);
        string line;
        if (ok)
        {
            line = Prefix(datagram) + TftpPacketRenderer.Render(packet!, blockSize) + PartialNote(datagram);
            CountPartial(datagram);
            NoteBlockSize(client, packet!);
        }
        else
        {
            DamagedCount++;
            TftpPacketRenderer.TryRender(payload, blockSize, out var text, out _);
            line = Prefix(datagram) + text + string.Create(CultureInfo.InvariantCulture,
                $" damaged: {error} ({TftpPacketRenderer.Describe(error)}), {ValueText.Plural(payload.Length, "byte")}{PartialNote(datagram)}: {ValueText.Quoted(payload[..Math.Min(payload.Length, MaxDamagedBytesShown)])}");
        }
        if (_lastWasBlock)
        {
            _writer.BlankLine();
        }
        _lastWasBlock = false;
        _wroteAny = true;
        _writer.Line(line);
    }

    // RFC 2348 §2: the block size the server acknowledged in its OACK holds for the whole transfer.
    private void NoteBlockSize((IPv4Address, ushort) client, TftpPacket packet)
    {
        if (packet is TftpOptionAckPacket ack
            && ack.Options.FirstOrDefault(o => o.Is(TftpOptionNames.BlockSize)) is { Value: { } size }
            && int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var negotiated))
        {
            _tftpClients[client] = negotiated;
        }
    }

    /// <summary>A multi-line entry: set apart from its neighbours by blank lines.</summary>
    private void Block(string line)
    {
        if (_wroteAny)
        {
            _writer.BlankLine();
        }
        _writer.Line(line);
        _lastWasBlock = true;
        _wroteAny = true;
    }

    private void CountOther(string kind) => Others[kind] = Others.GetValueOrDefault(kind) + 1;

    /// <summary>A datagram the capture holds only part of is damaged even when what is there decodes.</summary>
    private void CountPartial(UdpDatagram datagram)
    {
        if (datagram.IsPartial)
        {
            DamagedCount++;
        }
    }

    private static string PartialNote(UdpDatagram datagram) =>
        datagram.IsPartial ? " [capture holds only part of the datagram]" : string.Empty;

    private string Prefix(UdpDatagram datagram) =>
        Prefix(datagram.FrameNumber, datagram.Timestamp) + string.Create(CultureInfo.InvariantCulture,
            $"{datagram.Source}:{datagram.SourcePort} -> {datagram.Destination}:{datagram.DestinationPort}  ");

    /// <summary><c>#12  +3.004512  </c>: the frame number and the seconds since the first frame.</summary>
    private string Prefix(int number, DateTimeOffset timestamp)
    {
        var offset = timestamp - (_start ?? timestamp);
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        return string.Create(CultureInfo.InvariantCulture, $"#{number.ToString(CultureInfo.InvariantCulture).PadRight(FrameNumberWidth)}  {sign}{Math.Abs(offset.Ticks) / (double)TimeSpan.TicksPerSecond:0.000000}  ");
    }

    /// <summary>What can still be read from the fixed header of a message the decoder rejected (RFC 2131 §2:
    /// op at 0, hlen at 2, xid at 4, chaddr at 28), so the damaged packet can be matched to a client.</summary>
    public static string? DamagedHeaderHint(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < ChaddrOffset + ChaddrLength)
        {
            return null;
        }
        var hlen = Math.Min((int)payload[2], ChaddrLength);
        var op = payload[0] switch { 1 => "BOOTREQUEST", 2 => "BOOTREPLY", _ => string.Create(CultureInfo.InvariantCulture, $"op {payload[0]}") };
        var client = new HardwareAddress(payload[1], payload.Slice(ChaddrOffset, hlen));
        return string.Create(CultureInfo.InvariantCulture,
            $"header as sent: {op}  xid {ValueText.Hex32(ValueText.UInt32(payload[4..]))}  chaddr {client}");
    }

    public static string Describe(DhcpDecodeError error) => error switch
    {
        DhcpDecodeError.TooShort => "shorter than the 236-byte BOOTP header",
        DhcpDecodeError.BadOperation => "op is neither BOOTREQUEST nor BOOTREPLY",
        DhcpDecodeError.BadHardwareAddressLength => "hlen is larger than the 16-byte chaddr",
        DhcpDecodeError.TruncatedOption => "an option's length runs past the end of its area",
        DhcpDecodeError.MissingEnd => "the options end without the END option",
        DhcpDecodeError.BadOverload => "option 52 is not 1, 2 or 3",
        DhcpDecodeError.BadMagicCookie => "the bytes after the header are not the DHCP magic cookie",
        _ => "unknown reason",
    };
}
