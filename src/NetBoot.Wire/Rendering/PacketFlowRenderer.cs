using System.Globalization;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

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

    private readonly RenderWriter _writer;
    private readonly HashSet<uint> _pxeTransactions = [];
    private readonly Dictionary<(IPv4Address Address, ushort Port), int> _tftpClients = [];
    private bool _lastWasBlock;

    public PacketFlowRenderer(RenderWriter writer) => _writer = writer;

    public int DhcpCount { get; private set; }

    public int TftpCount { get; private set; }

    public int DamagedCount { get; private set; }

    /// <summary>Frames neither DHCP nor TFTP, by kind ("ARP", "UDP 546->547", …), for the summary.</summary>
    public SortedDictionary<string, int> Others { get; } = new(StringComparer.Ordinal);

    public void Render(CaptureFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        switch (frame)
        {
            case DamagedFrame damaged:
                DamagedCount++;
                Block(Prefix(frame) + "damaged frame: " + damaged.Reason);
                break;
            case UdpDatagramFrame udp when IsDhcp(udp):
                RenderDhcp(udp);
                break;
            case UdpDatagramFrame udp when IsTftp(udp):
                RenderTftp(udp);
                break;
            case UdpDatagramFrame udp:
                CountOther(string.Create(CultureInfo.InvariantCulture, $"UDP port {Math.Min(udp.SourcePort, udp.DestinationPort)}"));
                break;
            case OtherFrame other:
                CountOther(other.Kind);
                break;
            default:
                break;
        }
    }

    private static bool IsDhcp(UdpDatagramFrame udp) =>
        IsDhcpPort(udp.SourcePort) || IsDhcpPort(udp.DestinationPort);

    // RFC 2131 §4.1 ports 67/68; PXE 2.1 §2.2.6 boot server requests go to port 4011.
    private static bool IsDhcpPort(ushort port) => port is BootpServerPort or BootpClientPort or PxeBootServerPort;

    private bool IsTftp(UdpDatagramFrame udp) =>
        udp.DestinationPort == TftpPort
        || _tftpClients.ContainsKey((udp.SourceAddress, udp.SourcePort))
        || _tftpClients.ContainsKey((udp.DestinationAddress, udp.DestinationPort));

    private void RenderDhcp(UdpDatagramFrame udp)
    {
        DhcpCount++;
        var prefix = Prefix(udp);
        var payload = udp.Payload.Span;
        if (!DhcpMessageDecoder.TryDecode(payload, out var message, out var error))
        {
            DamagedCount++;
            Block(prefix + string.Create(CultureInfo.InvariantCulture,
                $"DHCP damaged: {error} ({Describe(error)}), {ValueText.Plural(payload.Length, "byte")}{TruncationNote(udp)}"));
            return;
        }
        var isPxe = IsPxe(message);
        _lastWasBlock = true;
        _writer.BlankLine();
        _writer.Line(prefix + DhcpMessageRenderer.Summary(message) + TruncationNote(udp));
        _writer.Nested(() =>
        {
            _writer.Nested(() => DhcpMessageRenderer.RenderBody(_writer, message, isPxe));
        });
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

    private void RenderTftp(UdpDatagramFrame udp)
    {
        TftpCount++;
        var payload = udp.Payload.Span;
        var client = udp.DestinationPort == TftpPort ? (udp.SourceAddress, udp.SourcePort)
            : _tftpClients.ContainsKey((udp.SourceAddress, udp.SourcePort)) ? (udp.SourceAddress, udp.SourcePort)
            : (udp.DestinationAddress, udp.DestinationPort);
        var blockSize = _tftpClients.GetValueOrDefault(client, TftpPacketRenderer.DefaultBlockSize);
        var ok = TftpPacketRenderer.TryRender(payload, blockSize, out var text, out var error);
        if (udp.DestinationPort == TftpPort)
        {
            // A new request starts a new transfer on this client port, with the default block size.
            _tftpClients[client] = TftpPacketRenderer.DefaultBlockSize;
        }
        // RFC 2348: the block size the server acknowledged in its OACK holds for the transfer.
        if (ok && payload.Length >= 2 && ValueText.UInt16(payload) == 6
            && TftpPacketRenderer.TryGetOption(payload, "blksize", out var size)
            && int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var negotiated))
        {
            _tftpClients[client] = negotiated;
        }
        var line = Prefix(udp) + text + TruncationNote(udp);
        if (!ok)
        {
            DamagedCount++;
            line += string.Create(CultureInfo.InvariantCulture,
                $"  damaged: {error} ({TftpPacketRenderer.Describe(error)}), {ValueText.Plural(payload.Length, "byte")}");
        }
        if (_lastWasBlock)
        {
            _writer.BlankLine();
        }
        _lastWasBlock = false;
        _writer.Line(line);
    }

    private void Block(string line)
    {
        _writer.BlankLine();
        _writer.Line(line);
        _lastWasBlock = true;
    }

    private void CountOther(string kind) => Others[kind] = Others.GetValueOrDefault(kind) + 1;

    private static string TruncationNote(UdpDatagramFrame udp) =>
        udp.IsTruncated ? " [capture holds only part of the datagram]" : string.Empty;

    /// <summary><c>#12  +3.004512  192.0.2.1:67 -> 255.255.255.255:68  </c></summary>
    public static string Prefix(CaptureFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var time = string.Create(CultureInfo.InvariantCulture, $"#{frame.Number}  +{frame.Offset.TotalSeconds:0.000000}  ");
        return frame is UdpDatagramFrame udp
            ? time + string.Create(CultureInfo.InvariantCulture,
                $"{udp.SourceAddress}:{udp.SourcePort} -> {udp.DestinationAddress}:{udp.DestinationPort}  ")
            : time;
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
