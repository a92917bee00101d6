using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary><c>dhcp-relay</c>: for each relay, a port-67 socket on the client's interface (client broadcasts in, replies
/// out) and one on the interface that reaches the server (requests out with source port 67, the server's replies to
/// <c>giaddr</c> in). Both are bound to their device, like every DHCP socket, so they never take another interface's
/// traffic; an interface that also has a <c>dhcp-range</c> cannot relay (its port 67 is the server's).</summary>
public sealed class DhcpRelayService(ServerConfig config, ILogger logger)
{
    /// <summary>The largest DHCP datagram relayed (an Ethernet MTU's worth, with room to spare).</summary>
    private const int DatagramLimit = 2048;

    /// <summary>RFC 2131 §2 fixed header: <c>hops</c> at byte 3, <c>giaddr</c> at bytes 24–27.</summary>
    private const int HopsOffset = 3;
    private const int RelayAgentAddressOffset = 24;

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once every relay socket is bound (or at once when there is no relay).</summary>
    public Task Listening => _listening.Task;

    public async Task RunAsync(ImmutableArray<HostInterface> interfaces, CancellationToken cancellationToken)
    {
        var relays = config.Protocol.Relays;
        if (relays.IsEmpty)
        {
            _listening.TrySetResult();
            return;
        }
        var sockets = new List<Socket>();
        var loops = new List<Task>();
        try
        {
            foreach (var relay in relays)
            {
                var client = ClientInterface(relay, interfaces);
                var upstream = UpstreamInterface(relay, interfaces);
                var clientSocket = BoundUdpSocket.Open(logger, report: true, client.Name, 67, allowBroadcast: true);
                sockets.Add(clientSocket);
                var upstreamSocket = BoundUdpSocket.Open(logger, report: true, upstream.Name, 67, allowBroadcast: false);
                sockets.Add(upstreamSocket);
                Log.Listening(logger, $"DHCP relay to {relay.Server}:{relay.ServerPort}", client.Name, relay.Local.ToString(), 67);
                var server = new IPEndPoint(relay.Server.ToIPAddress(), relay.ServerPort);
                loops.Add(Task.Run(() => ForwardRequestsAsync(relay, client, clientSocket, upstreamSocket, server, cancellationToken), CancellationToken.None));
                loops.Add(Task.Run(() => ReturnRepliesAsync(relay, client, upstream, upstreamSocket, clientSocket, cancellationToken), CancellationToken.None));
            }
            _listening.TrySetResult();
        }
        catch (Exception e)
        {
            _listening.TrySetException(e);
            Dispose(sockets);
            throw;
        }
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            Dispose(sockets);
        }
    }

    private static void Dispose(List<Socket> sockets)
    {
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    /// <summary>The interface named in the directive, else the one holding the local address (dnsmasq).</summary>
    private static HostInterface ClientInterface(DhcpRelayConfig relay, ImmutableArray<HostInterface> interfaces) =>
        (relay.InterfaceName is { } name
            ? interfaces.FirstOrDefault(i => i.Name == name)
            : interfaces.FirstOrDefault(i => i.Addresses.Any(a => a.Address == relay.Local)))
        ?? throw new IOException($"dhcp-relay at {relay.Source}: no interface {(relay.InterfaceName is { } n ? $"named {n}" : $"has the address {relay.Local}")}; " +
            "give the address of one of this host's interfaces (ip -4 addr)");

    /// <summary>The interface the kernel's route to the server leaves by (the longest matching prefix of the main table,
    /// /proc/net/route).</summary>
    private static HostInterface UpstreamInterface(DhcpRelayConfig relay, ImmutableArray<HostInterface> interfaces)
    {
        var name = RouteTable.InterfaceFor(relay.Server, File.ReadLines("/proc/net/route"));
        return interfaces.FirstOrDefault(i => i.Name == name)
            ?? throw new IOException($"dhcp-relay at {relay.Source}: no route to the server {relay.Server}; add one (ip route) or name a reachable server");
    }

    private async Task ForwardRequestsAsync(DhcpRelayConfig relay, HostInterface client, Socket from, Socket to, IPEndPoint server, CancellationToken cancellationToken)
    {
        var buffer = new byte[DatagramLimit];
        while (await ReceiveAsync(from, buffer, client.Name, cancellationToken).ConfigureAwait(false) is { } length)
        {
            if (!DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, length), out var request, out _) || DhcpRelay.Upstream(request, relay) is not { } forwarded)
            {
                continue;
            }
            // The client's bytes as they came, with only hops and giaddr changed (RFC 1542 §4.1.1): nothing is re-encoded.
            buffer[HopsOffset] = forwarded.Hops;
            forwarded.RelayAgentAddress.WriteTo(buffer.AsSpan(RelayAgentAddressOffset, 4));
            await SendAsync(to, buffer.AsMemory(0, length), server, client.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReturnRepliesAsync(DhcpRelayConfig relay, HostInterface client, HostInterface upstream, Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[DatagramLimit];
        var clientPort = (ushort)config.DhcpClientPort;
        while (await ReceiveAsync(from, buffer, upstream.Name, cancellationToken).ConfigureAwait(false) is { } length)
        {
            if (!DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, length), out var reply, out _)
                || DhcpRelay.Downstream(reply, relay, client.Index, clientPort) is not { } destination)
            {
                continue;
            }
            // The reply is sent as the server built it (giaddr kept, as dnsmasq does).
            await SendAsync(to, buffer.AsMemory(0, length), new IPEndPoint(destination.Address.ToIPAddress(), destination.Port), client.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int?> ReceiveAsync(Socket socket, byte[] buffer, string interfaceName, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken).ConfigureAwait(false);
                return received.ReceivedBytes;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException e)
            {
                LeaseLog.ReceiveFailed(logger, interfaceName, 67, e.Message);
            }
        }
        return null;
    }

    private async Task SendAsync(Socket socket, ReadOnlyMemory<byte> datagram, IPEndPoint destination, string interfaceName, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendToAsync(datagram, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            Log.SendFailed(logger, destination.ToString(), interfaceName, e.Message);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>The IPv4 main routing table as Linux prints it in /proc/net/route (hex, host byte order of the kernel:
/// little-endian on the machines NetBoot runs on).</summary>
public static class RouteTable
{
    /// <summary>The interface of the longest-prefix route to <paramref name="destination"/>, or null.</summary>
    public static string? InterfaceFor(IPv4Address destination, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        string? best = null;
        var bestLength = -1;
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 8
                || !uint.TryParse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var network)
                || !uint.TryParse(fields[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
            {
                continue;
            }
            var (net, msk) = (Swap(network), Swap(mask));
            var length = System.Numerics.BitOperations.PopCount(msk);
            if ((destination.Value & msk) == net && length > bestLength)
            {
                (best, bestLength) = (fields[0], length);
            }
        }
        return best;
    }

    private static uint Swap(uint value) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value);
}
