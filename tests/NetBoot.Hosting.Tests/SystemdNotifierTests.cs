using System.Net.Sockets;
using System.Text;

namespace NetBoot.Hosting.Tests;

public class SystemdNotifierTests
{
    [Fact]
    public void Notify_sends_the_state_as_one_datagram_to_the_notify_socket()
    {
        var path = Path.Combine(Path.GetTempPath(), $"netboot-notify-{Guid.NewGuid():N}.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            Assert.True(new SystemdNotifier(path).Notify("READY=1\nSTATUS=serving"));

            var buffer = new byte[256];
            var length = systemd.Receive(buffer);
            Assert.Equal("READY=1\nSTATUS=serving", Encoding.UTF8.GetString(buffer, 0, length));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Without_a_notify_socket_nothing_is_sent() =>
        Assert.False(new SystemdNotifier(null).Notify("READY=1"));
}
