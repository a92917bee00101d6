using System.Net.Sockets;

namespace NetBoot.Hosting.Http;

/// <summary>The wait before accepting again after <c>accept</c> failed: 10 ms, doubling to 1 s, back to the start after a
/// success. With the descriptor table full (EMFILE, ENFILE) or kernel memory short (ENOBUFS, ENOMEM) the pending
/// connection stays queued and an immediate retry fails the same way, a busy loop (Kestrel's own socket listener
/// retries at once on any SocketException).</summary>
internal sealed class AcceptBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    private TimeSpan _next = First;

    public TimeSpan Next()
    {
        var delay = _next;
        _next = delay * 2 < Longest ? delay * 2 : Longest;
        return delay;
    }

    public void Reset() => _next = First;

    /// <summary>A connection reset or aborted while it waited in the backlog: that connection is gone, the next one can
    /// be accepted at once (it cannot repeat faster than clients connect).</summary>
    public static bool IsOneConnectionLost(SocketError error) => error is SocketError.ConnectionAborted or SocketError.ConnectionReset;
}
