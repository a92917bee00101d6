using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace NetBoot.Hosting.Http;

/// <summary>The HTTP boot port on a set of interfaces that changes while the server runs, as one Kestrel listener.
/// Kestrel binds its endpoints once, at start; here each interface has its own socket (0.0.0.0 bound to the device,
/// so it follows the interface's address) with its own accept loop, and every accepted connection goes into one queue
/// that Kestrel's accept loop reads (<see cref="BudgetedSocketTransport"/>, through <see cref="DeviceSetEndPoint"/>).
/// Adding an interface is opening a socket; removing one is closing it: Kestrel is never touched.</summary>
internal sealed class DeviceAcceptQueue(TimeProvider time)
{
    /// <summary>Bounded: while Kestrel is not accepting (it is at its connection limit), the loops stop accepting too
    /// and connections wait in the kernel's backlog, as they would on a single socket.</summary>
    private readonly Channel<(Socket? Accepted, SocketException? Error)> _queue =
        Channel.CreateBounded<(Socket?, SocketException?)>(new BoundedChannelOptions(64) { SingleReader = true });

    /// <summary>The next connection accepted on any interface, or the error of a failed <c>accept</c> (the caller backs
    /// off and reports, as for a single socket).</summary>
    public async ValueTask<Socket> AcceptAsync(CancellationToken cancellationToken)
    {
        var (accepted, error) = await _queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw error;
        }
        return accepted!;
    }

    /// <summary>Accepts on <paramref name="listener"/> until <paramref name="stop"/> or until the socket is closed; a failing
    /// <c>accept</c> (descriptors or memory short) waits before the next one (<see cref="AcceptBackoff"/>).</summary>
    public async Task RunAsync(Socket listener, CancellationToken stop)
    {
        var backoff = new AcceptBackoff();
        while (!stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                || e is SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                return;
            }
            catch (SocketException e) when (AcceptBackoff.IsOneConnectionLost(e.SocketErrorCode))
            {
                continue;
            }
            catch (SocketException e)
            {
                if (!await TryQueueAsync((null, e), stop).ConfigureAwait(false))
                {
                    return;
                }
                try
                {
                    await Task.Delay(backoff.Next(), time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            backoff.Reset();
            if (!await TryQueueAsync((accepted, null), stop).ConfigureAwait(false))
            {
                accepted.Dispose();
                return;
            }
        }
    }

    private async ValueTask<bool> TryQueueAsync((Socket?, SocketException?) item, CancellationToken stop)
    {
        try
        {
            await _queue.Writer.WriteAsync(item, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A listening socket on <paramref name="port"/> of one interface: 0.0.0.0 bound to the device.</summary>
    public static Socket OpenDeviceListener(string interfaceName, int port) => OpenDeviceListener(interfaceName, IPAddress.Any, port);

    /// <summary>The IPv6 twin of <see cref="OpenDeviceListener(string, int)"/>: [::] bound to the device, IPV6_V6ONLY (the
    /// IPv4 socket keeps its connections, addresses and port as they were); null when the kernel has no IPv6.</summary>
    public static Socket? OpenIPv6DeviceListener(string interfaceName, int port)
    {
        try
        {
            return OpenDeviceListener(interfaceName, IPAddress.IPv6Any, port);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressFamilyNotSupported)
        {
            return null;
        }
    }

    private static Socket OpenDeviceListener(string interfaceName, IPAddress any, int port)
    {
        var socket = new Socket(any.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (any.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
            socket.Bind(new IPEndPoint(any, port));
            socket.Listen(512);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
}

/// <summary>What Kestrel is told to listen on in device mode: the queue of <see cref="DeviceAcceptQueue"/>, under a name
/// for its address list.</summary>
internal sealed class DeviceSetEndPoint(DeviceAcceptQueue queue, int port) : EndPoint
{
    public DeviceAcceptQueue Queue { get; } = queue;

    public int Port { get; } = port;

    public override AddressFamily AddressFamily => AddressFamily.InterNetwork;

    public override string ToString() => $"0.0.0.0:{Port} on each interface";
}
