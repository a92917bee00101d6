using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>What <see cref="TftpClient.Get"/> asks for. Null options are not sent.</summary>
public sealed record TftpClientRequest(
    IPEndPoint Server,
    string FileName,
    int? BlockSize = null,
    int? WindowSize = null,
    bool AskTransferSize = false,
    int? TimeoutSeconds = null,
    string Mode = TftpModes.Octet);

/// <summary>The outcome of a download: bytes, time, what the server granted, or the error.</summary>
public sealed record TftpClientResult(
    bool IsSuccess, long Bytes, TimeSpan Duration, int BlockSize, int WindowSize, long? TransferSize, string? Error)
{
    public double MegabytesPerSecond => Bytes / Math.Max(Duration.TotalSeconds, 1e-6) / 1e6;
}

/// <summary>A small read-only TFTP client (RFC 1350, 2347, 2348, 2349, 7440) for tests, benchmarks and
/// administrators. Synchronous, one socket; DATA is written to the output stream as it arrives in order.</summary>
/// <remarks>Window handling (RFC 7440 §4): an ACK after every windowsize in-order blocks and after the last one; on a
/// gap (a block out of order) one ACK of the last in-order block, not repeated until progress, so a lossy link does
/// not multiply traffic; a timeout without DATA re-sends the last ACK, up to five times.</remarks>
public static class TftpClient
{
    private const int MaximumRetries = 5;

    public static TftpClientResult Get(TftpClientRequest request, Stream output)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        using var socket = new Socket(request.Server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(request.Server.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        var wait = TimeSpan.FromSeconds(request.TimeoutSeconds ?? 2);
        socket.ReceiveTimeout = (int)wait.TotalMilliseconds;
        var session = new Session(socket, request, output);
        return session.Run();
    }

    private sealed class Session(Socket socket, TftpClientRequest request, Stream output)
    {
        private readonly byte[] _buffer = new byte[70000];
        private readonly byte[] _ack = new byte[4];
        private readonly SocketAddress _from = new(request.Server.AddressFamily);
        private SocketAddress? _server;
        private int _blockSize = TftpNegotiationDefaults.BlockSize;
        private int _windowSize = 1;
        private long? _transferSize;
        private ushort _last;
        private long _bytes;
        private int _inWindow;
        private bool _gapAcknowledged;
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public TftpClientResult Run()
        {
            var requestBytes = BuildRequest();
            var firstAddress = request.Server.Serialize();
            socket.SendTo(requestBytes, SocketFlags.None, firstAddress);
            var retries = 0;
            while (true)
            {
                int length;
                try
                {
                    length = socket.ReceiveFrom(_buffer, SocketFlags.None, _from);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
                {
                    if (++retries > MaximumRetries)
                    {
                        return Fail("timed out");
                    }
                    // No DATA for a whole timeout: repeat the request (nothing heard yet) or the last ACK.
                    if (_server is null)
                    {
                        socket.SendTo(requestBytes, SocketFlags.None, firstAddress);
                    }
                    else
                    {
                        SendAck(_last);
                    }
                    continue;
                }
                catch (SocketException e)
                {
                    return Fail(e.Message);
                }
                if (_server is null)
                {
                    // RFC 1350 §4: the server's first packet names its TID; later packets must come from it.
                    _server = Copy(_from);
                }
                else if (!_from.Equals(_server))
                {
                    continue;
                }
                var datagram = _buffer.AsSpan(0, length);
                var outcome = Handle(datagram);
                if (outcome is { } done)
                {
                    return done;
                }
                retries = 0;
            }
        }

        /// <summary>Null while the transfer goes on.</summary>
        private TftpClientResult? Handle(ReadOnlySpan<byte> datagram)
        {
            if (TftpPacketDecoder.TryReadData(datagram, out var block, out var payload))
            {
                return OnData(block, payload);
            }
            if (!TftpPacketDecoder.TryDecode(datagram, out var packet, out _))
            {
                return null;
            }
            switch (packet)
            {
                case TftpOptionAckPacket oack when _bytes == 0 && _last == 0:
                    ApplyOptions(oack);
                    SendAck(0);
                    return null;
                case TftpErrorPacket error:
                    return Fail($"error {(int)error.Code}: {error.Message}");
                default:
                    return null;
            }
        }

        private TftpClientResult? OnData(ushort block, ReadOnlySpan<byte> payload)
        {
            var expected = unchecked((ushort)(_last + 1));
            if (block != expected)
            {
                // RFC 7440 §4: out of order (a loss before it) or a repeat after our ACK was lost: ACK the last block
                // received in order, once until progress resumes.
                if (!_gapAcknowledged)
                {
                    _gapAcknowledged = true;
                    _inWindow = 0;
                    SendAck(_last);
                }
                return null;
            }
            output.Write(payload);
            _bytes += payload.Length;
            _last = block;
            _gapAcknowledged = false;
            if (payload.Length < _blockSize)
            {
                SendAck(block);
                output.Flush();
                return new TftpClientResult(true, _bytes, _clock.Elapsed, _blockSize, _windowSize, _transferSize, null);
            }
            if (++_inWindow >= _windowSize)
            {
                _inWindow = 0;
                SendAck(block);
            }
            return null;
        }

        private void ApplyOptions(TftpOptionAckPacket oack)
        {
            foreach (var option in oack.Options)
            {
                if (!long.TryParse(option.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    continue;
                }
                if (option.Is(TftpOptionNames.BlockSize))
                {
                    _blockSize = (int)value;
                }
                else if (option.Is(TftpOptionNames.WindowSize))
                {
                    _windowSize = (int)Math.Max(1, value);
                }
                else if (option.Is(TftpOptionNames.TransferSize))
                {
                    _transferSize = value;
                }
            }
        }

        private void SendAck(ushort block)
        {
            TftpPacketEncoder.WriteAck(_ack, block);
            socket.SendTo(_ack, SocketFlags.None, _server!);
        }

        private byte[] BuildRequest()
        {
            var options = new List<TftpOption>();
            if (request.BlockSize is { } blockSize)
            {
                options.Add(new TftpOption(TftpOptionNames.BlockSize, blockSize.ToString(CultureInfo.InvariantCulture)));
            }
            if (request.AskTransferSize)
            {
                options.Add(new TftpOption(TftpOptionNames.TransferSize, "0"));
            }
            if (request.TimeoutSeconds is { } timeout)
            {
                options.Add(new TftpOption(TftpOptionNames.Timeout, timeout.ToString(CultureInfo.InvariantCulture)));
            }
            if (request.WindowSize is { } windowSize)
            {
                options.Add(new TftpOption(TftpOptionNames.WindowSize, windowSize.ToString(CultureInfo.InvariantCulture)));
            }
            return TftpPacketEncoder.Encode(new TftpReadRequest(request.FileName, request.Mode, [.. options]));
        }

        private TftpClientResult Fail(string error) =>
            new(false, _bytes, _clock.Elapsed, _blockSize, _windowSize, _transferSize, error);

        private static SocketAddress Copy(SocketAddress address)
        {
            var copy = new SocketAddress(address.Family, address.Size);
            address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
            return copy;
        }
    }

    private static class TftpNegotiationDefaults
    {
        public const int BlockSize = 512;
    }
}
