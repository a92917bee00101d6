using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetBoot.Hosting.Udp;

/// <summary>Batched datagram I/O on one IPv6 UDP socket with Linux <c>recvmmsg(2)</c>/<c>sendmmsg(2)</c>, the IPv6 twin of
/// <see cref="DatagramBatch"/>: one system call receives every datagram waiting (up to <see cref="Capacity"/>), each with
/// its arrival interface (IPV6_PKTINFO; the socket must have IPV6_RECVPKTINFO set), and one sends every reply of the
/// batch. The caller owns a thread and blocks in <see cref="Receive"/>; nothing here touches the thread pool.</summary>
/// <remarks>Buffers, control buffers and the <c>mmsghdr</c> vectors live in native memory, allocated once. Layouts are the
/// LP64 ones (x86-64 and arm64 Linux): iovec 16 bytes, msghdr 56, mmsghdr 64, sockaddr_in6 28, cmsghdr 16,
/// in6_pktinfo 20.</remarks>
internal sealed unsafe class Datagram6Batch : IDisposable
{
    public const int Capacity = 64;

    /// <summary>Largest datagram received or sent here. DHCPv6 messages fit a link's MTU in practice; a longer one is cut
    /// (<see cref="IsTruncated"/>), and a longer reply is sent by the caller on its own.</summary>
    public const int BufferSize = 8192;

    private const int MessageHeaderSize = 64;
    private const int IoVectorSize = 16;
    private const int SocketAddressSize = 28;
    private const int SocketAddressStride = 32;
    private const int ControlSize = 64;
    private const int AddressFamilyInet6 = 10;
    private const int LevelIpv6 = 41;
    private const int Ipv6PacketInfo = 50;
    private const int MsgWaitForOne = 0x10000;
    private const int MsgDontWait = 0x40;
    private const int MsgTruncated = 0x20;
    private const int ErrorAgain = 11;
    private const int ErrorInterrupted = 4;
    private const short PollIn = 1;

    private readonly Socket _socket;
    private readonly int _descriptor;
    private readonly byte* _memory;
    private readonly byte* _receiveBuffers;
    private readonly byte* _sendBuffers;
    private readonly byte* _receiveVector;
    private readonly byte* _sendVector;
    private readonly byte* _receiveAddresses;
    private readonly byte* _sendAddresses;
    private readonly byte* _receiveIo;
    private readonly byte* _sendIo;
    private readonly byte* _control;
    private int _queued;
    private bool _disposed;

    public Datagram6Batch(Socket socket)
    {
        _socket = socket;
        _descriptor = (int)socket.Handle;
        var size = (nuint)(Capacity * (2 * BufferSize + 2 * MessageHeaderSize + 2 * SocketAddressStride + 2 * IoVectorSize + ControlSize));
        _memory = (byte*)NativeMemory.AllocZeroed(size);
        var p = _memory;
        _receiveBuffers = p; p += Capacity * BufferSize;
        _sendBuffers = p; p += Capacity * BufferSize;
        _receiveVector = p; p += Capacity * MessageHeaderSize;
        _sendVector = p; p += Capacity * MessageHeaderSize;
        _receiveAddresses = p; p += Capacity * SocketAddressStride;
        _sendAddresses = p; p += Capacity * SocketAddressStride;
        _receiveIo = p; p += Capacity * IoVectorSize;
        _sendIo = p; p += Capacity * IoVectorSize;
        _control = p;
        for (var i = 0; i < Capacity; i++)
        {
            var io = (nint*)(_receiveIo + i * IoVectorSize);
            io[0] = (nint)(_receiveBuffers + i * BufferSize);
            io[1] = BufferSize;
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for datagrams and receives all that are waiting.
    /// Returns how many (0 on timeout or interruption, or when <paramref name="wake"/> was signalled first); a socket
    /// error other than those throws.</summary>
    public int Receive(int timeoutMilliseconds, LoopWake? wake = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (var i = 0; i < Capacity; i++)
        {
            // The kernel rewrites msg_namelen, msg_controllen and msg_flags on every call.
            var header = _receiveVector + i * MessageHeaderSize;
            *(nint*)header = (nint)(_receiveAddresses + i * SocketAddressStride);
            *(int*)(header + 8) = SocketAddressSize;
            *(nint*)(header + 16) = (nint)(_receiveIo + i * IoVectorSize);
            *(nint*)(header + 24) = 1;
            *(nint*)(header + 32) = (nint)(_control + i * ControlSize);
            *(nint*)(header + 40) = ControlSize;
            *(int*)(header + 48) = 0;
        }
        // Never blocks in recvmmsg (the runtime may have made the socket non-blocking): take what is queued, else poll.
        var received = recvmmsg(_descriptor, _receiveVector, Capacity, MsgWaitForOne | MsgDontWait, null);
        if (received > 0)
        {
            return received;
        }
        var error = Marshal.GetLastPInvokeError();
        if (received < 0 && error != ErrorAgain && error != ErrorInterrupted)
        {
            throw new SocketException(error);
        }
        var polls = stackalloc PollDescriptor[2];
        polls[0] = new PollDescriptor { Descriptor = _descriptor, Events = PollIn };
        polls[1] = new PollDescriptor { Descriptor = wake?.Descriptor ?? -1, Events = PollIn };
        if (Poll(polls, 2, timeoutMilliseconds) <= 0 || (polls[0].ReturnedEvents & PollIn) == 0)
        {
            return 0;
        }
        received = recvmmsg(_descriptor, _receiveVector, Capacity, MsgWaitForOne | MsgDontWait, null);
        if (received >= 0)
        {
            return received;
        }
        error = Marshal.GetLastPInvokeError();
        return error is ErrorAgain or ErrorInterrupted ? 0 : throw new SocketException(error);
    }

    public ReadOnlySpan<byte> Datagram(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Capacity);
        var length = *(int*)(_receiveVector + index * MessageHeaderSize + 56);
        return new ReadOnlySpan<byte>(_receiveBuffers + index * BufferSize, Math.Min(length, BufferSize));
    }

    /// <summary>Whether the datagram was cut to the buffer (MSG_TRUNC).</summary>
    public bool IsTruncated(int index) => (*(int*)(_receiveVector + index * MessageHeaderSize + 48) & MsgTruncated) != 0;

    /// <summary>The sender, with its scope (interface index) when the kernel gave one (link-local senders).</summary>
    public IPEndPoint Source(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Capacity);
        var name = _receiveAddresses + index * SocketAddressStride;
        var port = BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(name + 2, 2));
        var scope = *(uint*)(name + 24);
        return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(name + 8, 16), scope), port);
    }

    /// <summary>The arrival interface's index (IPV6_PKTINFO), 0 when the datagram came without one.</summary>
    public int ArrivalIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Capacity);
        var header = _receiveVector + index * MessageHeaderSize;
        var control = *(byte**)(header + 32);
        var length = (long)*(nuint*)(header + 40);
        // CMSG_FIRSTHDR / CMSG_NXTHDR: headers of 16 bytes, each message aligned to 8.
        long offset = 0;
        while (offset + 16 <= length)
        {
            var message = control + offset;
            var messageLength = (long)*(nuint*)message;
            if (messageLength < 16 || offset + messageLength > length)
            {
                break;
            }
            if (*(int*)(message + 8) == LevelIpv6 && *(int*)(message + 12) == Ipv6PacketInfo && messageLength >= 16 + 20)
            {
                return *(int*)(message + 16 + 16);
            }
            offset += (messageLength + 7) & ~7L;
        }
        return 0;
    }

    /// <summary>One of the batch's reply buffers; <see cref="Queue"/> sends it.</summary>
    public Span<byte> SendBuffer(int slot) => (uint)slot < Capacity
        ? new Span<byte>(_sendBuffers + slot * BufferSize, BufferSize)
        : throw new ArgumentOutOfRangeException(nameof(slot));

    /// <summary>Queues the reply written into <see cref="SendBuffer"/>(<paramref name="slot"/>) for
    /// <paramref name="destination"/> (its scope id names the interface of a link-local destination); <see cref="Flush"/>
    /// sends the queue. At most <see cref="Capacity"/> replies are queued between two flushes.</summary>
    public void Queue(int slot, int length, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)Capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)BufferSize);
        if (_queued == Capacity)
        {
            throw new InvalidOperationException("the send queue is full: flush first");
        }
        var i = _queued;
        var name = _sendAddresses + i * SocketAddressStride;
        new Span<byte>(name, SocketAddressSize).Clear();
        *(ushort*)name = AddressFamilyInet6;
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(name + 2, 2), (ushort)destination.Port);
        if (!destination.Address.TryWriteBytes(new Span<byte>(name + 8, 16), out _))
        {
            throw new ArgumentException($"{destination} is not an IPv6 address", nameof(destination));
        }
        *(uint*)(name + 24) = (uint)destination.Address.ScopeId;
        var io = (nint*)(_sendIo + i * IoVectorSize);
        io[0] = (nint)(_sendBuffers + slot * BufferSize);
        io[1] = length;
        var header = _sendVector + i * MessageHeaderSize;
        *(nint*)header = (nint)name;
        *(int*)(header + 8) = SocketAddressSize;
        *(nint*)(header + 16) = (nint)(_sendIo + i * IoVectorSize);
        *(nint*)(header + 24) = 1;
        *(nint*)(header + 32) = 0;
        *(nint*)(header + 40) = 0;
        _queued++;
    }

    public int QueuedCount => _queued;

    /// <summary>Sends every queued reply; a reply the kernel refuses is reported to <paramref name="onError"/> (queued
    /// index, errno) and skipped, so a bad destination costs only its own reply.</summary>
    public void Flush(Action<int, int> onError)
    {
        ArgumentNullException.ThrowIfNull(onError);
        var start = 0;
        while (start < _queued)
        {
            var sent = sendmmsg(_descriptor, _sendVector + start * MessageHeaderSize, (uint)(_queued - start), 0);
            if (sent > 0)
            {
                start += sent;
                continue;
            }
            var error = Marshal.GetLastPInvokeError();
            if (error == ErrorInterrupted)
            {
                continue;
            }
            if (error == ErrorAgain)
            {
                // The send buffer is full: wait for room rather than drop the replies.
                var poll = new PollDescriptor { Descriptor = _descriptor, Events = 4 /* POLLOUT */ };
                _ = Poll(&poll, 1, 100);
                continue;
            }
            onError(start, error);
            start++;
        }
        _queued = 0;
    }

    /// <summary>The queued reply's destination, for error messages.</summary>
    public IPEndPoint Destination(int queuedIndex)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)queuedIndex, (uint)Capacity);
        var name = _sendAddresses + queuedIndex * SocketAddressStride;
        var port = BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(name + 2, 2));
        return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(name + 8, 16), *(uint*)(name + 24)), port);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            NativeMemory.Free(_memory);
        }
        GC.KeepAlive(_socket);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

#pragma warning disable SYSLIB1054, CA5392, CA1401
    [DllImport("libc", SetLastError = true)]
    private static extern int recvmmsg(int fd, byte* vector, uint length, int flags, void* timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern int sendmmsg(int fd, byte* vector, uint length, int flags);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int Poll(PollDescriptor* descriptors, nuint count, int timeout);
#pragma warning restore SYSLIB1054, CA5392, CA1401
}
