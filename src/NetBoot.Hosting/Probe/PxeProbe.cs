using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NetBoot.Engine;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Udp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Hosting.Probe;

/// <summary><c>netboot probe</c> on the wire: acts as PXE firmware on one interface. Broadcasts a DISCOVER from
/// 0.0.0.0 (so an interface without IPv4, a bare PXE segment, is probed as well), collects every offer for a while below
/// the IP layer, then follows up on port 4011 the way the firmware would (a boot-server request for the first menu
/// entry, or a ProxyDHCPREQUEST for UEFI) and fetches the start of the boot file it would load. It takes no lease: it
/// never sends a DHCPREQUEST to the DHCP server; the follow-up and the fetch need an address of the interface's own.</summary>
public sealed class PxeProbe(HostInterface nic, ProbeFirmware firmware, TimeSpan listenTime, TimeProvider time)
{
    private const int ClientPort = 68;

    /// <summary>A locally administered MAC derived from the interface name, so repeated probes look like one client.</summary>
    public HardwareAddress ClientAddress { get; init; } = HardwareAddress.Ethernet([0x02, 0x4e, 0x42, .. SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(nic.Name)).AsSpan(0, 3)]);

    /// <summary>Whether to fetch the first block of the boot file the firmware would load (on by default).</summary>
    public bool FetchesBootFile { get; init; } = true;

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        using var socket = BoundUdpSocket.Open(nic.Name, IPAddress.Any, ClientPort, allowBroadcast: true);
        // Opened before the DISCOVER leaves, so no answer comes before it listens.
        using var link = LinkReceiver.TryOpen(nic.Index, out _);
        var machineId = ImmutableArray.Create<byte>([0, .. RandomNumberGenerator.GetBytes(16)]);
        var discover = ProbeProfile.Discover(firmware, ClientAddress, (uint)RandomNumberGenerator.GetInt32(int.MaxValue), machineId);
        await socket.SendToAsync(DhcpMessageEncoder.Encode(discover), new IPEndPoint(IPAddress.Broadcast, 67), cancellationToken).ConfigureAwait(false);
        // Without CAP_NET_RAW, the UDP socket: it sees the answers wherever the interface has an address.
        var offers = link is null
            ? await CollectAsync(socket, discover.TransactionId, listenTime, cancellationToken).ConfigureAwait(false)
            : await Task.Run(() => Collect(link, discover.TransactionId, listenTime, cancellationToken), cancellationToken).ConfigureAwait(false);

        var result = await FollowUpAsync(socket, discover, offers, cancellationToken).ConfigureAwait(false);
        if (!FetchesBootFile || ProbeVerdict.BootFileToLoad(result) is not { } target)
        {
            return result;
        }
        if (!nic.HasIPv4 && !target.IsUrl)
        {
            return result with { FileCheckSkipped = $"{nic.Name} has no IPv4 address to fetch it with" };
        }
        return result with { FileCheck = await BootFileFetch.CheckAsync(nic, target, listenTime, cancellationToken).ConfigureAwait(false) };
    }

    private async Task<ProbeResult> FollowUpAsync(Socket socket, DhcpMessage discover, ImmutableArray<ProbeOffer> offers, CancellationToken cancellationToken)
    {
        var pxe = offers.Where(o => o.IsPxe).OrderByDescending(o => o.GivesAddress).FirstOrDefault();
        if (FollowUpPlan(pxe, firmware) is not { } plan)
        {
            return new ProbeResult(firmware, offers, null, false, null, pxe is null ? "no PXE answer" : "the PXE answer needs no follow-up");
        }
        if (!nic.HasIPv4)
        {
            return new ProbeResult(firmware, offers, null, false, plan.Item, $"{nic.Name} has no IPv4 address to receive the answer on");
        }
        var ownAddress = nic.Addresses[0].Address;
        var request = ProbeProfile.BootServerRequest(discover, ownAddress, plan.Item);
        await socket.SendToAsync(DhcpMessageEncoder.Encode(request), new IPEndPoint(plan.Server.ToIPAddress(), DhcpRequest.PxePort), cancellationToken).ConfigureAwait(false);
        // The answer comes from the boot server's port; the offers to the DISCOVER may still wait in this socket.
        var answers = await CollectAsync(socket, discover.TransactionId, listenTime, cancellationToken, stopAtFirst: true, fromPort: DhcpRequest.PxePort).ConfigureAwait(false);
        return new ProbeResult(firmware, offers, answers.FirstOrDefault(), true, plan.Item, null);
    }

    /// <summary>Every BOOTREPLY to <paramref name="transactionId"/> that reaches the interface within the window, read from
    /// the link (AF_PACKET), whatever the interface's addresses and the kernel's reverse-path filter.</summary>
    private static ImmutableArray<ProbeOffer> Collect(LinkReceiver link, uint transactionId, TimeSpan window, CancellationToken cancellationToken)
    {
        var offers = ImmutableArray.CreateBuilder<ProbeOffer>();
        var deadline = Environment.TickCount64 + (long)window.TotalMilliseconds;
        while (!cancellationToken.IsCancellationRequested)
        {
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 || link.Receive(ClientPort, TimeSpan.FromMilliseconds(Math.Min(remaining, 200))) is not { } datagram)
            {
                if (remaining <= 0)
                {
                    break;
                }
                continue;
            }
            if (DhcpMessageDecoder.TryDecode(datagram.Payload.Span, out var message, out _)
                && message.Operation == BootOperation.BootReply && message.TransactionId == transactionId)
            {
                offers.Add(ProbeOffer.Read(message, datagram.Source));
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        return offers.ToImmutable();
    }

    /// <summary>PXE 2.1 §2.2.5: with a menu, the firmware asks the boot server of the chosen (first) entry; UEFI firmware
    /// told nothing on port 67 asks the proxy's 4011 without a boot item. Local boot (type 0) needs nothing.</summary>
    internal static (IPv4Address Server, PxeBootItem? Item)? FollowUpPlan(ProbeOffer? pxe, ProbeFirmware firmware)
    {
        if (pxe is null)
        {
            return null;
        }
        if (pxe.HasMenu)
        {
            var first = pxe.Menu[0];
            if (first.Type == 0)
            {
                return null;
            }
            var server = pxe.BootServers.FirstOrDefault(s => s.Type == first.Type && !s.Addresses.IsDefaultOrEmpty)?.Addresses[0] ?? pxe.Server;
            return (server, new PxeBootItem(first.Type, 0));
        }
        // dnsmasq parity (spec §1.4): UEFI firmware gets no option 43 on 67 and must ask 4011.
        var told = pxe.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation);
        return !told && (ProbeProfile.IsUefi(firmware) || pxe.BootFile.Length == 0) ? (pxe.NextServer, null) : null;
    }

    /// <param name="fromPort">Only answers from this source port (the boot server answers from 4011); 0 for any.</param>
    private async Task<ImmutableArray<ProbeOffer>> CollectAsync(Socket socket, uint transactionId, TimeSpan window, CancellationToken cancellationToken,
        bool stopAtFirst = false, int fromPort = 0)
    {
        var offers = ImmutableArray.CreateBuilder<ProbeOffer>();
        var buffer = new byte[2048];
        using var limit = new CancellationTokenSource(window, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return offers.ToImmutable();
            }
            var source = (IPEndPoint)received.RemoteEndPoint;
            if ((fromPort != 0 && source.Port != fromPort)
                || !DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var message, out _)
                || message.Operation != BootOperation.BootReply || message.TransactionId != transactionId)
            {
                continue;
            }
            offers.Add(ProbeOffer.Read(message, IPv4Address.FromIPAddress(source.Address)));
            if (stopAtFirst)
            {
                return offers.ToImmutable();
            }
        }
    }
}
