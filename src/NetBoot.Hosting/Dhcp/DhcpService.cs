using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Engine;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>Receives DHCP on port 67 and PXE boot-server requests on 4011 on each serving interface, asks the
/// engine, sends the reply. The only place that touches DHCP sockets.</summary>
public sealed class DhcpService(ConfigSnapshot config, ILogger<DhcpService> logger, TimeProvider time)
{
    private static readonly TimeSpan MalformedLogInterval = TimeSpan.FromMinutes(1);

    private readonly MalformedLogLimiter _malformed = new(time, MalformedLogInterval);

    /// <summary>Opens the sockets and serves until cancelled. Returns the listeners it opened (for tests).</summary>
    public async Task RunAsync(ImmutableArray<HostInterface> hostInterfaces, CancellationToken cancellationToken)
    {
        var snapshot = config.Current;
        var interfaces = InterfaceSelection.ForDhcp(snapshot, hostInterfaces);
        if (interfaces.IsEmpty)
        {
            Log.NoDhcpInterface(logger, string.Join(", ", hostInterfaces.Select(i => $"{i.Name} {string.Join(' ', i.Addresses.Select(a => a.Address))}")));
            return;
        }
        var loops = new List<Task>();
        var sockets = new List<Socket>();
        try
        {
            foreach (var arrival in interfaces)
            {
                var ports = snapshot.IsPxeEnabled ? new[] { snapshot.DhcpServerPort, DhcpRequest.PxePort } : [snapshot.DhcpServerPort];
                foreach (var port in ports)
                {
                    Socket socket;
                    try
                    {
                        socket = BoundUdpSocket.Open(arrival.Name, IPAddress.Any, port, allowBroadcast: true);
                    }
                    catch (SocketException e)
                    {
                        Log.CannotListen(logger, arrival.Name, port, e.Message);
                        throw;
                    }
                    sockets.Add(socket);
                    Log.Listening(logger, port == DhcpRequest.PxePort ? "PXE boot server" : "DHCP", arrival.Name, arrival.Address.ToString(), port);
                    loops.Add(ReceiveLoopAsync(socket, arrival, (ushort)port, cancellationToken));
                }
            }
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, ArrivalInterface arrival, ushort localPort, CancellationToken cancellationToken)
    {
        var receiveBuffer = new byte[4096];
        var sendBuffer = new byte[4096];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await socket.ReceiveMessageFromAsync(receiveBuffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var source = (IPEndPoint)received.RemoteEndPoint;
            try
            {
                var reply = Handle(receiveBuffer.AsSpan(0, received.ReceivedBytes), source, arrival, localPort, sendBuffer);
                if (reply is { } r)
                {
                    await SendAsync(socket, sendBuffer.AsMemory(0, r.Length), r.Destination, arrival, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug must not take the service down for every other client: log it loudly and go on.
                Log.HandlerFailed(logger, e, source.ToString(), arrival.Name);
            }
        }
    }

    private (int Length, ReplyDestination Destination)? Handle(
        ReadOnlySpan<byte> datagram, IPEndPoint source, ArrivalInterface arrival, ushort localPort, byte[] sendBuffer)
    {
        var sourceAddress = IPv4Address.FromIPAddress(source.Address);
        if (!DhcpMessageDecoder.TryDecode(datagram, out var message, out var error))
        {
            if (_malformed.ShouldLog(sourceAddress))
            {
                Log.Malformed(logger, source.ToString(), arrival.Name, error.ToString(), (int)MalformedLogInterval.TotalMinutes);
            }
            return null;
        }
        if (message.Operation != BootOperation.BootRequest)
        {
            return null;
        }
        var snapshot = config.Current;
        var request = new DhcpRequest(message, arrival, sourceAddress, (ushort)source.Port, localPort);
        var decision = DhcpEngine.Decide(request, snapshot);
        var kind = localPort == DhcpRequest.PxePort || decision is SendReply { Message.YourAddress.IsZero: true } ? "PXE" : "DHCP";
        var client = message.ClientHardwareAddress.ToString();
        var prefix = snapshot.LogDhcp ? message.TransactionId.ToString(CultureInfo.InvariantCulture) + " " : "";
        switch (decision)
        {
            case SendReply reply:
                LogExchange(snapshot.LogDhcp, message, reply, decision);
                Log.Replied(logger, prefix, kind, arrival.Name, ClientText(message, localPort), reply.Summary, ExchangeText.Asked(message, localPort));
                var length = DhcpMessageEncoder.Encode(
                    reply.Message, sendBuffer, new DhcpEncodeOptions(reply.MaximumLength, reply.AllowOverload), out _);
                return (length, reply.Destination);
            case NoReply none when snapshot.LogDhcp && none.Reason != NoReplyReason.RequestOnServerPort:
                Log.NotAnsweredVerbose(logger, prefix, kind, arrival.Name, client, none.Detail, ExchangeText.Asked(message, localPort));
                return null;
            case NoReply none:
                Log.NotAnswered(logger, kind, arrival.Name, client, none.Detail, ExchangeText.Asked(message, localPort));
                return null;
            default:
                return null;
        }
    }

    /// <summary>dnsmasq logs boot-server replies with the client's address before its MAC.</summary>
    private static string ClientText(DhcpMessage request, ushort localPort) =>
        localPort == DhcpRequest.PxePort && !request.ClientAddress.IsZero
            ? $"{request.ClientAddress} {request.ClientHardwareAddress}"
            : request.ClientHardwareAddress.ToString();

    private void LogExchange(bool verbose, DhcpMessage request, SendReply reply, Decision decision)
    {
        if (!verbose)
        {
            return;
        }
        var xid = request.TransactionId;
        if (request.Options.TryGetString(DhcpOptionCode.VendorClassIdentifier, out var vendorClass))
        {
            Log.Detail(logger, xid, "vendor class: " + vendorClass);
        }
        if (request.Options.TryGetString(DhcpOptionCode.UserClass, out var userClass))
        {
            Log.Detail(logger, xid, "user class: " + userClass.Trim('\u0004', '\0'));
        }
        if (!decision.Tags.IsDefaultOrEmpty)
        {
            Log.Detail(logger, xid, "tags: " + string.Join(", ", decision.Tags));
        }
        var message = reply.Message;
        if (message.BootFileName.Length > 0)
        {
            Log.Detail(logger, xid, "bootfile name: " + message.BootFileName);
        }
        if (!message.ServerAddress.IsZero)
        {
            Log.Detail(logger, xid, "next server: " + message.ServerAddress);
        }
        foreach (var option in message.Options)
        {
            Log.Detail(logger, xid, OptionLogText.Describe(option));
        }
    }

    private async Task SendAsync(Socket socket, ReadOnlyMemory<byte> bytes, ReplyDestination destination, ArrivalInterface arrival, CancellationToken cancellationToken)
    {
        try
        {
            // A client without an address cannot answer ARP for its new one; until ARP entries are injected,
            // such a reply goes by broadcast on the arrival interface (RFC 2131 §4.1 allows either).
            var address = destination.RequiresArpEntry ? IPAddress.Broadcast : destination.Address.ToIPAddress();
            var endpoint = new IPEndPoint(address, destination.Port);
            await socket.SendToAsync(bytes, SocketFlags.None, endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            Log.SendFailed(logger, destination.ToString(), arrival.Name, e.Message);
        }
    }
}
