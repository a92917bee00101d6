using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Udp;

/// <summary>Batched datagram I/O on one IPv4 UDP socket with Linux <c>recvmmsg(2)</c>/<c>sendmmsg(2)</c>: one system call
/// receives every datagram waiting (up to <see cref="Capacity"/>) and one sends every reply of the batch. The caller
/// owns a thread and blocks in <see cref="Receive"/>; nothing here touches the thread pool.</summary>
/// <remarks>Buffers and the <c>mmsghdr</c> vectors live in native memory, allocated once, so a batch allocates nothing.
/// Layouts are the LP64 ones (x86-64 and arm64 Linux): iovec 16 bytes, msghdr 56, mmsghdr 64, sockaddr_in 16.</remarks>
internal sealed unsafe class DatagramBatch : IDisposable
{
    public const int Capacity = 64;

    /// <summary>Largest datagram received or sent; DHCP replies are at most the client's option 57 (≤ 1500 in practice).</summary>
    public const int BufferSize = 4096;

    private const int MessageHeaderSize = 64;
    private const int IoVectorSize = 16;
    private const int SocketAddressSize = 16;
    private const int AddressFamilyInet = 2;
    private const int MsgWaitForOne = 0x10000;
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
    private int _queued;
    private bool _disposed;

    public DatagramBatch(Socket socket)
    {
        _socket = socket;
        _descriptor = (int)socket.Handle;
        var size = (nuint)(Capacity * (2 * BufferSize + 2 * MessageHeaderSize + 2 * SocketAddressSize + 2 * IoVectorSize));
        _memory = (byte*)NativeMemory.AllocZeroed(size);
        var p = _memory;
        _receiveBuffers = p; p += Capacity * BufferSize;
        _sendBuffers = p; p += Capacity * BufferSize;
        _receiveVector = p; p += Capacity * MessageHeaderSize;
        _sendVector = p; p += Capacity * MessageHeaderSize;
        _receiveAddresses = p; p += Capacity * SocketAddressSize;
        _sendAddresses = p; p += Capacity * SocketAddressSize;
        _receiveIo = p; p += Capacity * IoVectorSize;
        _sendIo = p;
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
            // The kernel rewrites msg_namelen and msg_flags on every call.
            var header = _receiveVector + i * MessageHeaderSize;
            *(nint*)header = (nint)(_receiveAddresses + i * SocketAddressSize);
            *(int*)(header + 8) = SocketAddressSize;
            *(nint*)(header + 16) = (nint)(_receiveIo + i * IoVectorSize);
            *(nint*)(header + 24) = 1;
            *(int*)(header + 48) = 0;
        }
        // Blocking socket: MSG_WAITFORONE waits for the first datagram, then takes only what is already queued.
        // The socket may be non-blocking (the runtime switches a socket once an async call was made on it): then poll first.
        var received = recvmmsg(_descriptor, _receiveVector, Capacity, MsgWaitForOne | 0x40 /* MSG_DONTWAIT */, null);
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
        received = recvmmsg(_descriptor, _receiveVector, Capacity, MsgWaitForOne | 0x40, null);
        if (received >= 0)
        {
            return received;
        }
        error = Marshal.GetLastPInvokeError();
        return error is ErrorAgain or ErrorInterrupted ? 0 : throw new SocketException(error);
    }

    public ReadOnlySpan<byte> Datagram(int index)
    {
        var length = *(int*)(_receiveVector + index * MessageHeaderSize + 56);
        return new ReadOnlySpan<byte>(_receiveBuffers + index * BufferSize, Math.Min(length, BufferSize));
    }

    /// <summary>Whether the datagram was cut to the buffer (MSG_TRUNC).</summary>
    public bool IsTruncated(int index) => (*(int*)(_receiveVector + index * MessageHeaderSize + 48) & 0x20) != 0;

    public IPv4Address SourceAddress(int index) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(_receiveAddresses + index * SocketAddressSize + 4, 4)));

    public ushort SourcePort(int index) =>
        BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(_receiveAddresses + index * SocketAddressSize + 2, 2));

    /// <summary>One of the batch's reply buffers (one per datagram received); <see cref="Queue"/> sends it.</summary>
    public Span<byte> SendBuffer(int slot) => (uint)slot < Capacity
        ? new Span<byte>(_sendBuffers + slot * BufferSize, BufferSize)
        : throw new ArgumentOutOfRangeException(nameof(slot));

    /// <summary>Queues the reply written into <see cref="SendBuffer"/>(<paramref name="slot"/>) for
    /// <paramref name="address"/>:<paramref name="port"/>; <see cref="Flush"/> sends the queue.</summary>
    public void Queue(int slot, int length, IPv4Address address, ushort port)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)Capacity);
        var i = _queued;
        var name = _sendAddresses + i * SocketAddressSize;
        *(ushort*)name = AddressFamilyInet;
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(name + 2, 2), port);
        address.WriteTo(new Span<byte>(name + 4, 4));
        var io = (nint*)(_sendIo + i * IoVectorSize);
        io[0] = (nint)(_sendBuffers + slot * BufferSize);
        io[1] = length;
        var header = _sendVector + i * MessageHeaderSize;
        *(nint*)header = (nint)name;
        *(int*)(header + 8) = SocketAddressSize;
        *(nint*)(header + 16) = (nint)(_sendIo + i * IoVectorSize);
        *(nint*)(header + 24) = 1;
        _queued++;
    }

    public int QueuedCount => _queued;

    /// <summary>Sends every queued reply; a reply the kernel refuses is reported to <paramref name="onError"/> (queued
    /// index, errno) and skipped, so a bad destination costs only its own reply.</summary>
    public void Flush(Action<int, int> onError)
    {
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
    public string Destination(int queuedIndex)
    {
        var name = _sendAddresses + queuedIndex * SocketAddressSize;
        var address = new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(name + 4, 4)));
        return $"{address}:{BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(name + 2, 2))}";
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
