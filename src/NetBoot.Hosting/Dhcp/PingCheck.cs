using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>dnsmasq's ping check (RFC 2131 §4.4.1: the server SHOULD probe an address before allocating it): an ICMP
/// echo request to a candidate address, and a verdict when an echo reply comes back (in use) or when
/// <see cref="Wait"/> has passed without one (free). Never blocks a caller: the verdict arrives on this checker's own
/// thread, so other clients are served meanwhile; the DHCP service only hands it back to the receive loop of the socket
/// (which decides again and sends), nothing is decided or sent on this thread.</summary>
/// <remarks>A raw ICMP socket (root or CAP_NET_RAW) when it can be opened, else an unprivileged ICMP datagram socket
/// (<c>net.ipv4.ping_group_range</c>). Opened once at start in the serving network namespace. At most
/// <see cref="MaxPending"/> probes wait at once, each O(1) to start, settle or expire (<see cref="PingProbes"/>), so a
/// flood of DISCOVERs or of echo replies (a raw socket sees every one on the host) costs the same per packet as a quiet
/// network.</remarks>
internal sealed class PingCheck : IDisposable
{
    /// <summary>How long to wait for an echo reply. dnsmasq waits up to 3 s (blocking its loop); ISC dhcpd's
    /// ping-timeout is 1 s; a host on the link answers in well under a millisecond.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);

    /// <summary>Probes waiting at most: a second of new-client DISCOVERs at twice <c>dhcp-rate-limit</c>'s default.</summary>
    public const int MaxPending = 4096;

    private const int EchoRequest = 8;
    private const int EchoReply = 0;

    private readonly Socket _socket;
    private readonly bool _raw;
    private readonly ushort _identifier;
    private readonly TimeProvider _time;
    private readonly PingProbes _probes = new(MaxPending);
    private readonly Lock _lock = new();
    private readonly Thread _thread;
    private volatile bool _disposed;

    private PingCheck(Socket socket, bool raw, TimeProvider time)
    {
        _socket = socket;
        _raw = raw;
        _time = time;
        _identifier = (ushort)Environment.ProcessId;
        _socket.ReceiveTimeout = 100;
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "netboot ping check" };
        _thread.Start();
    }

    /// <summary>Opens the ICMP socket; null (and the reason) when neither kind can be opened.</summary>
    public static PingCheck? Open(TimeProvider time, out string? failure)
    {
        failure = null;
        foreach (var raw in new[] { true, false })
        {
            try
            {
                var socket = new Socket(AddressFamily.InterNetwork, raw ? SocketType.Raw : SocketType.Dgram, ProtocolType.Icmp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Any, 0));
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                return new PingCheck(socket, raw, time);
            }
            catch (SocketException e)
            {
                failure = e.Message;
            }
        }
        return null;
    }

    /// <summary>Sends one echo request to <paramref name="address"/>; <paramref name="verdict"/> gets true when it
    /// answered (in use), false after <see cref="Wait"/> without an answer. Runs on the checker's thread. False (and no
    /// verdict) when <see cref="MaxPending"/> probes already wait: the caller drops the request, the client retries.</summary>
    public bool Probe(IPv4Address address, Action<bool> verdict)
    {
        ushort sequence;
        lock (_lock)
        {
            if (!_probes.TryAdd(address, _time.GetUtcNow() + Wait, verdict, out sequence))
            {
                return false;
            }
        }
        var packet = new byte[16];
        packet[0] = EchoRequest;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), _identifier);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        "netboot!"u8.CopyTo(packet.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet));
        try
        {
            _socket.SendTo(packet, new IPEndPoint(address.ToIPAddress(), 0));
        }
        catch (SocketException)
        {
            // Unreachable or refused: nobody answers; the timeout gives the verdict "free", as dnsmasq would.
        }
        return true;
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[1500];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_disposed)
        {
            try
            {
                var length = _socket.ReceiveFrom(buffer, ref from);
                if (TryReadReply(buffer.AsSpan(0, length), out var sequence) && from is IPEndPoint source)
                {
                    Settle(sequence, IPv4Address.FromIPAddress(source.Address));
                }
            }
            catch (Exception) when (_disposed)
            {
                return;
            }
            catch (SocketException)
            {
                // Timeout (the loop's tick), or an ICMP error queued on the socket: nothing to settle.
            }
            ExpireDue();
        }
    }

    /// <summary>An echo reply of ours: a raw socket sees the IP header and every echo reply on the host, so the
    /// identifier is checked; a datagram socket gets only its own, without the header (the kernel owns the identifier).</summary>
    private bool TryReadReply(ReadOnlySpan<byte> packet, out ushort sequence)
    {
        sequence = 0;
        if (_raw)
        {
            if (packet.Length < 20)
            {
                return false;
            }
            packet = packet[((packet[0] & 0x0F) * 4)..];
        }
        if (packet.Length < 8 || packet[0] != EchoReply || (_raw && BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) != _identifier))
        {
            return false;
        }
        sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        return true;
    }

    private void Settle(ushort sequence, IPv4Address source)
    {
        Action<bool>? verdict;
        lock (_lock)
        {
            verdict = _probes.Settle(sequence, source);
        }
        verdict?.Invoke(true);
    }

    /// <summary>Gives the verdict "free" to the probes whose time is up.</summary>
    private void ExpireDue()
    {
        List<Action<bool>>? due;
        lock (_lock)
        {
            due = _probes.TakeDue(_time.GetUtcNow());
        }
        foreach (var verdict in due ?? [])
        {
            verdict(false);
        }
    }

    /// <summary>RFC 1071 Internet checksum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (data.Length % 2 == 1)
        {
            sum += (uint)data[^1] << 8;
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    public void Dispose()
    {
        _disposed = true;
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(1));
    }
}
