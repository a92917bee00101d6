using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetBoot.Engine.Tftp;
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

/// <summary>The outcome of a download: bytes received (on the wire: in netascii, before the conversion back), time, what
/// the server granted, or the error.</summary>
public sealed record TftpClientResult(
    bool IsSuccess, long Bytes, TimeSpan Duration, int BlockSize, int WindowSize, long? TransferSize, string? Error)
{
    public double MegabytesPerSecond => Bytes / Math.Max(Duration.TotalSeconds, 1e-6) / 1e6;
}

/// <summary>A small read-only TFTP client (RFC 1350, 2347, 2348, 2349, 7440) for tests, benchmarks and
/// administrators. Synchronous, one socket; DATA is written to the output stream as it arrives in order, in netascii
/// converted back to local text (CR LF → LF, CR NUL → CR, <see cref="NetasciiDecoder"/>), as tftp-hpa and atftp do.</summary>
/// <remarks>Window handling (RFC 7440 §4): an ACK after every windowsize in-order blocks and after the last one.
/// Blocks that arrive ahead of a gap are kept (a window at most), so a reordered block costs nothing; when the
/// window's last block arrives with a gap before it, one ACK of the last block received in order makes the server
/// resend from there. An old block (the server's resend after a lost ACK) is answered by one ACK per burst; a timeout
/// without DATA re-sends the last ACK, up to five times.</remarks>
public static class TftpClient
{
    private const int MaximumRetries = 5;
    private static readonly TimeSpan QuickSilence = TimeSpan.FromMilliseconds(100);
    /// <summary>A block more than this ahead is an old one from before a roll-over (RFC 7440 windows are far smaller).</summary>
    private const int WindowLimit = 32768;

    public static TftpClientResult Get(TftpClientRequest request, Stream output)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        using var socket = new Socket(request.Server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(request.Server.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        var wait = TimeSpan.FromSeconds(request.TimeoutSeconds ?? 2);
        // Poll often: a silence well short of the timeout is how a lost window end shows (see Run).
        socket.ReceiveTimeout = (int)Math.Min(wait.TotalMilliseconds, QuickSilence.TotalMilliseconds);
        var session = new Session(socket, request, output, wait);
        return session.Run();
    }

    private sealed class Session(Socket socket, TftpClientRequest request, Stream output, TimeSpan wait)
    {
        private readonly TimeSpan _wait = wait;
        private readonly byte[] _buffer = new byte[70000];
        private readonly byte[] _ack = new byte[4];
        private readonly SocketAddress _from = new(request.Server.AddressFamily);
        private SocketAddress? _server;
        private int _blockSize = TftpNegotiationDefaults.BlockSize;
        private int _windowSize = 1;
        private long? _transferSize;
        /// <summary>Index of the last block received in order (0 = none).</summary>
        private long _lastIndex;
        /// <summary>Index of the last block acknowledged; the current window ends at this + windowsize.</summary>
        private long _acknowledgedIndex;
        private readonly Dictionary<long, byte[]> _pending = [];
        private long _bytes;
        private bool _duplicateAcknowledged;
        /// <summary>Set in netascii mode (RFC 1350 §5: the mode name is case-insensitive).</summary>
        private readonly NetasciiDecoder? _netascii =
            string.Equals(request.Mode, TftpModes.Netascii, StringComparison.OrdinalIgnoreCase) ? new NetasciiDecoder() : null;
        private byte[] _converted = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public TftpClientResult Run()
        {
            var requestBytes = BuildRequest();
            var firstAddress = request.Server.Serialize();
            socket.SendTo(requestBytes, SocketFlags.None, firstAddress);
            var retries = 0;
            var silence = Stopwatch.StartNew();
            while (true)
            {
                int length;
                try
                {
                    length = socket.ReceiveFrom(_buffer, SocketFlags.None, _from);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
                {
                    // A short silence with blocks received since the last ACK: the window's end was lost. ACK what
                    // arrived, so the server goes on from there instead of resending the window at its timeout.
                    if (_lastIndex > _acknowledgedIndex)
                    {
                        Acknowledge();
                        continue;
                    }
                    if (silence.Elapsed < _wait)
                    {
                        continue;
                    }
                    silence.Restart();
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
                        SendAck(unchecked((ushort)_lastIndex));
                    }
                    continue;
                }
                catch (SocketException e)
                {
                    return Fail(e.Message);
                }
                silence.Restart();
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
                case TftpOptionAckPacket oack when _lastIndex == 0:
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
            // Map the 16-bit number to the 64-bit index ahead of the last block received in order (roll-over).
            var distance = (ushort)(block - (ushort)_lastIndex);
            if (distance == 0 || distance > WindowLimit)
            {
                // An old block. At or before the last ACK: the server timed out and resent because that ACK was lost,
                // so ACK again, once per resend burst. After it: a resent window overlapping blocks kept from
                // before a gap; the window-end rule answers that burst.
                var old = _lastIndex - (ushort)((ushort)_lastIndex - block);
                if (old <= _acknowledgedIndex && !_duplicateAcknowledged)
                {
                    _duplicateAcknowledged = true;
                    SendAck(unchecked((ushort)_lastIndex));
                }
                return null;
            }
            var index = _lastIndex + distance;
            if (index > _lastIndex + 1)
            {
                // Ahead of a gap (lost or reordered): keep it for when the gap fills (a window at most).
                if (index <= _acknowledgedIndex + _windowSize && payload.Length == _blockSize)
                {
                    _pending.TryAdd(index, payload.ToArray());
                }
                return ReportGapAtWindowEnd(index, payload.Length < _blockSize);
            }
            if (Accept(payload))
            {
                return Finish();
            }
            while (_pending.Remove(_lastIndex + 1, out var buffered))
            {
                Accept(buffered);
            }
            if (_lastIndex >= _acknowledgedIndex + _windowSize)
            {
                Acknowledge();
            }
            return null;
        }

        /// <summary>Writes the next in-order block; true when it is the last one (shorter than blksize).</summary>
        private bool Accept(ReadOnlySpan<byte> payload)
        {
            Write(payload);
            _bytes += payload.Length;
            _lastIndex++;
            _duplicateAcknowledged = false;
            return payload.Length < _blockSize;
        }

        /// <summary>RFC 7440 §4: the window's last block (or the file's) arrived but an earlier one is missing: ACK
        /// the last block received in order, so the server resends from there without waiting for its timeout.</summary>
        private TftpClientResult? ReportGapAtWindowEnd(long index, bool isFinalBlock)
        {
            // The window's last block arrives once per burst the server sends: one ACK per burst, never a storm.
            if (index >= _acknowledgedIndex + _windowSize || isFinalBlock)
            {
                Acknowledge();
            }
            return null;
        }

        private void Acknowledge()
        {
            _acknowledgedIndex = _lastIndex;
            SendAck(unchecked((ushort)_lastIndex));
        }

        private void Write(ReadOnlySpan<byte> payload)
        {
            if (_netascii is null)
            {
                output.Write(payload);
                return;
            }
            if (_converted.Length < NetasciiDecoder.MaxOutputLength(payload.Length))
            {
                _converted = new byte[NetasciiDecoder.MaxOutputLength(Math.Max(payload.Length, _blockSize))];
            }
            output.Write(_converted, 0, _netascii.Convert(payload, _converted));
        }

        private TftpClientResult Finish()
        {
            SendAck(unchecked((ushort)_lastIndex));
            if (_netascii is not null)
            {
                output.Write(_converted, 0, _netascii.Finish(_converted));
            }
            output.Flush();
            return new TftpClientResult(true, _bytes, _clock.Elapsed, _blockSize, _windowSize, _transferSize, null);
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
