using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Http;

/// <summary>Kestrel's transport for the boot port, in place of its socket transport: listens on the sockets NetBoot
/// bound (one per interface, through <see cref="DeviceSetEndPoint"/>; or binds an address, for tests), admits every accepted connection through the
/// <see cref="HttpConnectionTable"/> before Kestrel allocates anything for it, and backs off when <c>accept</c> fails
/// (<see cref="AcceptBackoff"/>). Connections are then Kestrel's own (<see cref="SocketConnectionContextFactory"/>).</summary>
internal sealed class BudgetedSocketTransport(HttpConnectionTable table, HttpConnectionReport report, ILogger logger, TimeProvider time)
    : IConnectionListenerFactory, IDisposable
{
    /// <summary>Request line and headers (Kestrel's limits: 8 KiB and 16 KiB) fit; a client that sends more ahead of
    /// its answer (pipelining) waits, instead of making the server buffer up to Kestrel's default of 1 MiB.</summary>
    public const int MaxReadBufferSize = 32 * 1024;

    private readonly SocketConnectionContextFactory _factory = new(
        new SocketConnectionFactoryOptions { MaxReadBufferSize = MaxReadBufferSize, MaxWriteBufferSize = 64 * 1024 }, logger);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is DeviceSetEndPoint devices)
        {
            // The interfaces' sockets are NetBoot's own, opened and closed as interfaces come and go.
            IConnectionListener set = new BudgetedConnectionListener(devices, null, devices.Queue.AcceptAsync, Create, table, report, time);
            return ValueTask.FromResult(set);
        }
        var socket = Listen(endpoint);
        IConnectionListener listener = new BudgetedConnectionListener(socket.LocalEndPoint ?? endpoint, socket, accept => socket.AcceptAsync(accept),
            Create, table, report, time);
        return ValueTask.FromResult(listener);
    }

    public void Dispose() => _factory.Dispose();

    /// <summary>NetBoot's own listener sockets come as descriptors (<c>ListenHandle</c>): wrapped, not owned, as
    /// Kestrel does. An address is bound here (the loopback tests).</summary>
    private static Socket Listen(EndPoint endpoint)
    {
        switch (endpoint)
        {
            case FileHandleEndPoint handle:
                return new Socket(new SafeSocketHandle((IntPtr)handle.FileHandle, ownsHandle: false));
            case IPEndPoint address:
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(address);
                    socket.Listen(512);
                    return socket;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
                {
                    socket.Dispose();
                    throw new AddressInUseException(e.Message, e);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            default:
                throw new NotSupportedException($"the HTTP boot server listens on IP endpoints only, not {endpoint}");
        }
    }

    private ConnectionContext Create(Socket socket)
    {
        socket.NoDelay = true;
        return _factory.Create(socket);
    }
}

/// <summary>One listening socket's accept loop, which Kestrel drives by calling <see cref="AcceptAsync"/> again and
/// again. A refused connection is reset at once (no descriptor kept, no lingering close); a failing <c>accept</c> waits
/// (<see cref="AcceptBackoff"/>) instead of spinning.</summary>
internal sealed class BudgetedConnectionListener(
    EndPoint endpoint,
    Socket? socket,
    Func<CancellationToken, ValueTask<Socket>> accept,
    Func<Socket, ConnectionContext> create,
    HttpConnectionTable table,
    HttpConnectionReport report,
    TimeProvider time) : IConnectionListener
{
    private readonly CancellationTokenSource _unbound = new();
    private readonly AcceptBackoff _backoff = new();

    public EndPoint EndPoint => endpoint;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_unbound.Token, cancellationToken);
        while (!stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await accept(stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (IsStop(e))
            {
                return null;
            }
            catch (SocketException e) when (AcceptBackoff.IsOneConnectionLost(e.SocketErrorCode))
            {
                continue;
            }
            catch (SocketException e)
            {
                var delay = _backoff.Next();
                report.AcceptFailed(e, delay, table.Count);
                try
                {
                    await Task.Delay(delay, time, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
                continue;
            }
            _backoff.Reset();
            if (Admit(accepted) is { } connection)
            {
                return connection;
            }
        }
        return null;
    }

    private ConnectionContext? Admit(Socket accepted)
    {
        var source = (accepted.RemoteEndPoint as IPEndPoint)?.Address;
        if (source is null)
        {
            accepted.Dispose();
            return null;
        }
        if (source.IsIPv4MappedToIPv6)
        {
            source = source.MapToIPv4();
        }
        var admission = table.TryAdmit(source, out var slot, out var evicted);
        report.Admission(admission, source, evicted is not null);
        if (admission != HttpAdmission.Admitted)
        {
            Refuse(accepted);
            return null;
        }
        evicted?.Close();
        ConnectionContext inner;
        try
        {
            inner = create(accepted);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset by the peer before Kestrel took it. Never thrown out of AcceptAsync: Kestrel would end its accept
            // loop for good ("The connection listener failed to accept any new connections").
            table.Release(slot!);
            accepted.Dispose();
            return null;
        }
        inner.Features.Set(slot);
        slot!.AttachClose(() => inner.Abort(new ConnectionAbortedException("closed to make room for a new client (http-max-connections)")));
        return new BudgetedConnection(inner, slot, table);
    }

    /// <summary>Reset rather than closed: the descriptor and the kernel's socket are freed at once (no FIN_WAIT or
    /// TIME_WAIT for a flood to pile up), and the client sees the refusal at once.</summary>
    private static void Refuse(Socket accepted)
    {
        try
        {
            accepted.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the peer: closing is all that is left.
        }
        accepted.Dispose();
    }

    /// <summary>The listener was unbound or its socket closed (Kestrel stopping, or NetBoot disposing its sockets).</summary>
    private bool IsStop(Exception e) =>
        e is ObjectDisposedException or OperationCanceledException
        || (e is SocketException socketError && (socketError.SocketErrorCode == SocketError.OperationAborted || _unbound.IsCancellationRequested));

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _unbound.Cancel();
        socket?.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _unbound.Cancel();
        socket?.Dispose();
        _unbound.Dispose();
        return ValueTask.CompletedTask;
    }
}
