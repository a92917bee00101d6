using System.Net.Sockets;
using System.Text;

namespace NetBoot.Hosting;

/// <summary>sd_notify(3) for <c>Type=notify</c> units: one datagram to the socket systemd names in
/// <c>$NOTIFY_SOCKET</c> (a leading <c>@</c> is the abstract namespace). Without that variable it does nothing,
/// so the same binary runs in a terminal. Twenty lines instead of the generic host's whole dependency tree.</summary>
public sealed class SystemdNotifier(string? socketPath)
{
    public static SystemdNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    public bool IsActive => !string.IsNullOrEmpty(socketPath);

    /// <summary>Sends e.g. <c>READY=1</c>, <c>RELOADING=1</c>, <c>STOPPING=1</c>, <c>STATUS=…</c>; returns false if it could not.</summary>
    public bool Notify(string state)
    {
        if (!IsActive)
        {
            return false;
        }
        var path = socketPath!.StartsWith('@') ? "\0" + socketPath[1..] : socketPath;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
