using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>Serves read requests on UDP 69 of each TFTP interface; every transfer runs on its own ephemeral
/// socket (its TID, RFC 1350 §4) driven by the pure <see cref="TftpTransfer"/> state machine.</summary>
public sealed class TftpService(ConfigSnapshot config, ILogger<TftpService> logger, TimeProvider time)
{
    public const int Port = 69;

    private int _activeTransfers;

    /// <summary>Transfers currently running (bounded by <c>tftp-max</c>).</summary>
    public int ActiveTransfers => Volatile.Read(ref _activeTransfers);

    public async Task RunAsync(ImmutableArray<HostInterface> hostInterfaces, CancellationToken cancellationToken)
    {
        var snapshot = config.Current;
        if (!snapshot.Tftp.IsEnabled)
        {
            return;
        }
        CheckRoot(snapshot.Tftp);
        var listeners = new List<Socket>();
        var loops = new List<Task>();
        try
        {
            foreach (var nic in SelectInterfaces(snapshot, hostInterfaces))
            {
                Socket socket;
                try
                {
                    socket = BoundUdpSocket.Open(nic.Name, IPAddress.Any, Port, allowBroadcast: false);
                }
                catch (SocketException e)
                {
                    Log.CannotListen(logger, nic.Name, Port, e.Message);
                    throw;
                }
                listeners.Add(socket);
                Log.Listening(logger, "TFTP", nic.Name, string.Join(" ", nic.Addresses.Select(a => a.Address)), Port);
                loops.Add(ListenAsync(socket, nic, cancellationToken));
            }
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            foreach (var socket in listeners)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary><c>enable-tftp=if,…</c> names the interfaces; otherwise every interface DHCP may use, loopback only when named.</summary>
    internal static IEnumerable<HostInterface> SelectInterfaces(ServerConfig config, IEnumerable<HostInterface> interfaces) =>
        interfaces.Where(nic =>
            config.Tftp.Interfaces.IsDefaultOrEmpty
                ? config.Interfaces.Allows(nic.Name) && (!nic.IsLoopback || config.Interfaces.Include.Contains(nic.Name))
                : config.Tftp.Interfaces.Contains(nic.Name));

    private void CheckRoot(TftpConfig tftp)
    {
        foreach (var root in tftp.InterfaceRoots.Values.Prepend(tftp.Root).OfType<string>())
        {
            if (Directory.Exists(root))
            {
                continue;
            }
            if (!tftp.NoFail)
            {
                // dnsmasq parity: an inaccessible root is fatal unless tftp-no-fail.
                throw new DirectoryNotFoundException($"TFTP directory {root} inaccessible: no such directory (create it, or add tftp-no-fail to start anyway)");
            }
            Log.TftpRootMissing(logger, root);
        }
    }

    private async Task ListenAsync(Socket listener, HostInterface nic, CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        var transfers = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                SocketReceiveMessageFromResult received;
                try
                {
                    received = await listener.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                var client = (IPEndPoint)received.RemoteEndPoint;
                if (!TftpPacketDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var packet, out var error))
                {
                    Log.TftpMalformed(logger, client.ToString(), nic.Name, error.ToString());
                    continue;
                }
                if (packet is not TftpRequestPacket request)
                {
                    continue;
                }
                var localAddress = received.PacketInformation.Address is { } local && !local.Equals(IPAddress.Broadcast)
                    ? local
                    : nic.Addresses[0].Address.ToIPAddress();
                transfers.RemoveAll(t => t.IsCompleted);
                transfers.Add(ServeAsync(request, client, localAddress, nic, cancellationToken));
            }
        }
        finally
        {
            // Transfers end on cancellation within one timeout; wait for them so none outlives the service.
            await Task.WhenAll(transfers).ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(TftpRequestPacket request, IPEndPoint client, IPAddress localAddress, HostInterface nic, CancellationToken cancellationToken)
    {
        var snapshot = config.Current;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(localAddress, 0));
        var clientIdentity = new TftpClientIdentity(IPv4Address.FromIPAddress(client.Address));
        var policy = new TftpPathPolicy(snapshot.Tftp, PhysicalTftpFileSystem.Instance);
        var decision = TftpRequestResponder.Decide(request, policy, nic.Name, clientIdentity);
        if (!decision.IsAccepted)
        {
            if (decision.ErrorCode != TftpErrorCode.FileNotFound || !snapshot.Tftp.Quiet)
            {
                Log.TftpRefused(logger, request.Filename, client.Address.ToString(), decision.ErrorMessage);
            }
            await SendErrorAsync(socket, client, decision.ErrorCode, decision.ErrorMessage, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (Interlocked.Increment(ref _activeTransfers) > snapshot.Tftp.MaxTransfers)
        {
            Interlocked.Decrement(ref _activeTransfers);
            Log.TftpTooMany(logger, request.Filename, client.Address.ToString(), snapshot.Tftp.MaxTransfers);
            await SendErrorAsync(socket, client, TftpErrorCode.NotDefined, "too many simultaneous transfers, try again", cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            using var content = TftpContent.Open(decision.FullPath!, decision.Mode);
            var mtu = Math.Min(nic.Mtu > 0 ? nic.Mtu : 1500, snapshot.Tftp.Mtu ?? int.MaxValue);
            var options = TftpNegotiation.Negotiate(request.Options.AsSpan(), decision.Mode, content.TransferSize, snapshot.Tftp, mtu);
            var transfer = new TftpTransfer(content.Length, options);
            var runner = new TftpTransferRunner(socket, client, content, transfer, time);
            var step = await runner.RunAsync(cancellationToken).ConfigureAwait(false);
            LogEnd(decision.FullPath!, client, step);
        }
        catch (IOException e)
        {
            Log.TftpReadFailed(logger, request.Filename, client.Address.ToString(), e.Message);
            await SendErrorAsync(socket, client, TftpErrorCode.AccessViolation, $"cannot read {request.Filename}", cancellationToken).ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException e)
        {
            Log.TftpReadFailed(logger, request.Filename, client.Address.ToString(), e.Message);
            await SendErrorAsync(socket, client, TftpErrorCode.AccessViolation, $"cannot access {request.Filename}: Permission denied", cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.TftpCancelled(logger, request.Filename, client.Address.ToString());
        }
        finally
        {
            Interlocked.Decrement(ref _activeTransfers);
        }
    }

    private void LogEnd(string file, IPEndPoint client, TftpStep step)
    {
        var stats = step.Statistics;
        var seconds = Math.Max(stats?.Duration.TotalSeconds ?? 0, 1e-6);
        var bytes = stats?.Bytes ?? 0;
        var details = stats is null ? "" :
            $"{bytes} bytes in {stats.Duration.TotalMilliseconds:0} ms ({bytes / seconds / 1e6:0.00} MB/s), blksize {stats.BlockSize}, windowsize {stats.WindowSize}, {stats.Retransmissions} retransmitted";
        switch (step.End)
        {
            case TftpTransferEnd.Completed:
                Log.TftpSent(logger, file, client.Address.ToString(), details);
                break;
            case TftpTransferEnd.ClientEndedAfterOptions:
                Log.TftpProbed(logger, file, client.Address.ToString(), step.Detail ?? "");
                break;
            default:
                Log.TftpFailed(logger, file, client.Address.ToString(), $"{step.End}: {step.Detail}", details);
                break;
        }
    }

    private static async Task SendErrorAsync(Socket socket, IPEndPoint client, TftpErrorCode code, string message, CancellationToken cancellationToken)
    {
        var buffer = new byte[TftpPacketEncoder.GetErrorLength(message)];
        var length = TftpPacketEncoder.WriteError(buffer, code, message);
        try
        {
            await socket.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, client, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // The client is gone; nothing else to tell it.
        }
    }
}
