using System.Net.Sockets;

namespace NetBoot.Hosting.Tftp;

/// <summary>Port 69's receive buffer in a boot storm: hundreds of RRQs arrive within milliseconds, and each small
/// datagram costs the buffer about a kilobyte of kernel memory, so the default buffer (208 KiB) can overflow before
/// the listener reads; a dropped RRQ costs the client its whole retry timeout (curl waits 12 s and more). The buffer
/// is enlarged at start-up, and the kernel's drop count for the socket (SO_MEMINFO) is checked at most once a second,
/// so that drops, if they still happen, are logged instead of silent.</summary>
internal sealed class TftpListenerBuffer(Socket socket, TimeProvider time)
{
    /// <summary>4 MiB: several thousand RRQs.</summary>
    public const int Bytes = 4 * 1024 * 1024;

    private const int SocketLevel = 1;
    private const int SoReceiveBufferForce = 33;
    private const int SoMemoryInfo = 55;
    /// <summary>Index of <c>SK_MEMINFO_DROPS</c> in the <c>SO_MEMINFO</c> array of 32-bit counters.</summary>
    private const int MemoryInfoDrops = 8;
    private long _lastDrops;
    private long _nextCheck;

    /// <summary>SO_RCVBUFFORCE while still privileged (beyond net.core.rmem_max), else SO_RCVBUF (capped by it).</summary>
    public static void Enlarge(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        try
        {
            socket.SetRawSocketOption(SocketLevel, SoReceiveBufferForce, BitConverter.GetBytes(Bytes));
        }
        catch (SocketException)
        {
            try
            {
                socket.ReceiveBufferSize = Bytes;
            }
            catch (SocketException)
            {
                // The default buffer still works; drops, if any, are logged.
            }
        }
    }

    /// <summary>Datagrams the kernel dropped on this socket since the last report, checked at most once a second; 0 otherwise.</summary>
    public long CheckNewDrops()
    {
        var now = time.GetTimestamp();
        if (now < _nextCheck)
        {
            return 0;
        }
        _nextCheck = now + time.TimestampFrequency;
        var drops = ReadDrops(socket);
        if (drops <= _lastDrops)
        {
            return 0;
        }
        var added = drops - _lastDrops;
        _lastDrops = drops;
        return added;
    }

    /// <summary>SK_MEMINFO_DROPS of the socket; 0 when the kernel does not report it.</summary>
    internal static long ReadDrops(Socket socket)
    {
        Span<byte> info = stackalloc byte[16 * sizeof(uint)];
        try
        {
            var length = socket.GetRawSocketOption(SocketLevel, SoMemoryInfo, info);
            return length >= (MemoryInfoDrops + 1) * sizeof(uint)
                ? System.Runtime.InteropServices.MemoryMarshal.Read<uint>(info[(MemoryInfoDrops * sizeof(uint))..])
                : 0;
        }
        catch (SocketException)
        {
            return 0;
        }
    }
}
