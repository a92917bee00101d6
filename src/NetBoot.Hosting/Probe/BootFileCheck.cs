using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Udp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Probe;

/// <summary>The boot file the firmware would load, and from where: a name on <paramref name="Server"/> by TFTP, or an
/// <c>http://</c> URL (iPXE, UEFI HTTP Boot).</summary>
public sealed record BootFileTarget(string File, IPv4Address Server)
{
    public bool IsUrl => File.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || File.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}

/// <summary>What fetching the start of the boot file showed: the first TFTP block (then the transfer is abandoned with an
/// ERROR, as a PXE ROM abandons its <c>tsize</c> probe), or the answer to an HTTP HEAD.</summary>
/// <param name="Bytes">Bytes received (the first block), or the HTTP Content-Length.</param>
/// <param name="Size">The file's size when the server told it (TFTP <c>tsize</c>, HTTP Content-Length).</param>
/// <param name="Failure">Why the firmware could not load it (null on success).</param>
/// <param name="FirmwareError">The PXE error the firmware would show, when one applies.</param>
public sealed record BootFileCheck(BootFileTarget Target, bool IsSuccess, long Bytes, long? Size, string? Failure, string? FirmwareError = null);

/// <summary>Fetches the start of a boot file the way firmware does, from the probe's interface.</summary>
public static class BootFileFetch
{
    private const int Attempts = 3;

    public static Task<BootFileCheck> CheckAsync(HostInterface nic, BootFileTarget target, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nic);
        ArgumentNullException.ThrowIfNull(target);
        return target.IsUrl
            ? HeadAsync(nic, target, wait, cancellationToken)
            : Task.Run(() => FirstTftpBlock(nic, target, wait), cancellationToken);
    }

    /// <summary>RRQ with <c>tsize</c> (as firmware asks), the OACK acknowledged, DATA 1 received, then ERROR to end it.
    /// Each packet is sent up to <see cref="Attempts"/> times, <paramref name="wait"/> apart (a lost datagram).</summary>
    private static BootFileCheck FirstTftpBlock(HostInterface nic, BootFileTarget target, TimeSpan wait)
    {
        using var socket = BoundUdpSocket.Open(nic.Name, IPAddress.Any, 0, allowBroadcast: false);
        socket.ReceiveTimeout = (int)Math.Max(1, wait.TotalMilliseconds);
        var server = new IPEndPoint(target.Server.ToIPAddress(), 69);
        var request = new byte[TftpPacketEncoder.GetRequestLength(target.File, TftpModes.Octet, [new(TftpOptionNames.TransferSize, "0")])];
        TftpPacketEncoder.WriteRequest(request, TftpOpcode.ReadRequest, target.File, TftpModes.Octet, [new(TftpOptionNames.TransferSize, "0")]);
        var buffer = new byte[70000];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var state = new FirstBlockState();
        var (pending, to) = (request, (EndPoint)server);
        var attempts = 1;
        // Bounds the whole exchange, whatever else the server's address sends meanwhile.
        var deadline = Environment.TickCount64 + (long)(wait.TotalMilliseconds * Attempts * 2);
        socket.SendTo(pending, to);
        while (Environment.TickCount64 < deadline)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                if (attempts++ == Attempts)
                {
                    break;
                }
                socket.SendTo(pending, to);
                continue;
            }
            catch (SocketException e)
            {
                return new BootFileCheck(target, false, 0, null, e.Message, "PXE-E32 (TFTP open timeout)");
            }
            var source = (IPEndPoint)from;
            if (!source.Address.Equals(server.Address) || !TftpPacketDecoder.TryDecode(buffer.AsSpan(0, length), out var packet, out _))
            {
                continue;
            }
            var (reply, result) = state.Next(packet, target);
            if (reply is not null)
            {
                // RFC 1350 §4: the server's transfer ID (its new port) is where the rest goes.
                socket.SendTo(reply, source);
                (pending, to, attempts) = (reply, source, 1);
            }
            if (result is not null)
            {
                return result;
            }
        }
        return new BootFileCheck(target, false, 0, state.Size, string.Create(CultureInfo.InvariantCulture,
            $"no TFTP answer from {target.Server} within {Attempts} × {wait.TotalSeconds:0.#} s"), "PXE-E32 (TFTP open timeout)");
    }

    /// <summary>The client side of the first block, one packet at a time (pure: the loop above sends what it says).</summary>
    internal sealed class FirstBlockState
    {
        public long? Size { get; private set; }

        public (byte[]? Reply, BootFileCheck? Result) Next(TftpPacket packet, BootFileTarget target)
        {
            switch (packet)
            {
                case TftpOptionAckPacket oack:
                    // RFC 2347: acknowledge the options with ACK 0; DATA 1 follows.
                    var told = oack.Options.FirstOrDefault(o => o.Is(TftpOptionNames.TransferSize)).Value;
                    Size = long.TryParse(told, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : null;
                    return (Ack(0), null);
                case TftpDataPacket { Block: 1 } data:
                    // Enough: end the transfer as firmware ends its tsize probe, so the server frees it at once.
                    return (Error(TftpErrorCode.NotDefined, "netboot probe: first block received"),
                        new BootFileCheck(target, true, data.Payload.Length, Size ?? (data.Payload.Length < 512 ? data.Payload.Length : null), null));
                case TftpErrorPacket error:
                    return (null, new BootFileCheck(target, false, 0, Size,
                        string.Create(CultureInfo.InvariantCulture, $"TFTP error {(int)error.Code} \"{error.Message}\""),
                        error.Code == TftpErrorCode.FileNotFound ? "PXE-E3B (TFTP Error - File not found)"
                        : error.Code == TftpErrorCode.AccessViolation ? "PXE-E3C (TFTP Error - Access violation)"
                        : "PXE-E36 (Error received from TFTP server)"));
                default:
                    return (null, null);
            }
        }

        private static byte[] Ack(ushort block)
        {
            var ack = new byte[4];
            TftpPacketEncoder.WriteAck(ack, block);
            return ack;
        }

        private static byte[] Error(TftpErrorCode code, string message)
        {
            var error = new byte[TftpPacketEncoder.GetErrorLength(message)];
            TftpPacketEncoder.WriteError(error, code, message);
            return error;
        }
    }

    /// <summary>HEAD, from the probe's interface (its sockets bound to the device), as UEFI HTTP Boot does before its GET.</summary>
    private static async Task<BootFileCheck> HeadAsync(HostInterface nic, BootFileTarget target, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.SetRawSocketOption(1, 25, Encoding.ASCII.GetBytes(nic.Name + "\0"));
                    await socket.ConnectAsync(context.DnsEndPoint, token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = wait * Attempts };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(target.File));
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("netboot-probe", "1"));
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var length = response.Content.Headers.ContentLength;
            return response.IsSuccessStatusCode
                ? new BootFileCheck(target, true, length ?? 0, length, null)
                : new BootFileCheck(target, false, 0, null, string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            return new BootFileCheck(target, false, 0, null, e.Message);
        }
    }
}
