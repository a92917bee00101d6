using System.Runtime.InteropServices;

namespace NetBoot.Hosting.Udp;

/// <summary>An <c>eventfd(2)</c> that another thread signals to wake a receive loop blocked in
/// <see cref="DatagramBatch.Receive"/>, so work finished elsewhere (a group commit, a ping check) is handed back to the
/// loop that owns the socket instead of being sent from a second thread.</summary>
internal sealed unsafe class LoopWake : IDisposable
{
    private const int NonBlocking = 0x800, CloseOnExec = 0x80000;

    private readonly Lock _lock = new();
    private int _descriptor;

    public LoopWake()
    {
        _descriptor = eventfd(0, NonBlocking | CloseOnExec);
        if (_descriptor < 0)
        {
            throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), "eventfd failed");
        }
    }

    /// <summary>For <c>poll(2)</c>; -1 once disposed (poll ignores it).</summary>
    public int Descriptor => _descriptor;

    /// <summary>Wakes the loop (any thread; nothing once disposed: a late signal cannot reach a reused descriptor).</summary>
    public void Signal()
    {
        ulong one = 1;
        lock (_lock)
        {
            if (_descriptor >= 0)
            {
                _ = write(_descriptor, &one, sizeof(ulong));
            }
        }
    }

    /// <summary>Clears the signal (the loop, before it takes the work handed to it).</summary>
    public void Reset()
    {
        ulong value;
        _ = read(_descriptor, &value, sizeof(ulong));
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for a signal (the loop, while stopping).</summary>
    public void Wait(int timeoutMilliseconds)
    {
        var poll = new PollDescriptor { Descriptor = _descriptor, Events = 1 };
        _ = Poll(&poll, 1, timeoutMilliseconds);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_descriptor >= 0)
            {
                _ = close(_descriptor);
                _descriptor = -1;
            }
        }
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
    private static extern int eventfd(uint initval, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, void* buffer, nuint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, void* buffer, nuint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int Poll(PollDescriptor* descriptors, nuint count, int timeout);
#pragma warning restore SYSLIB1054, CA5392, CA1401
}
