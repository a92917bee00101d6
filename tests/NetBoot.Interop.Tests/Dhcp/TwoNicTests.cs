using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>testdata/examples/ltsp-2nic.conf as shipped (only tftp-root moved into the lab): proxyDHCP with the PXE
/// menu on the public NIC and leases on the private one, served at the same time by one netboot.</summary>
[Trait("Category", "Interop")]
public sealed class TwoNicTests
{
    [Fact]
    public async Task Proxy_on_the_public_nic_and_leases_on_the_private_nic_work_at_once()
    {
        await using var lab = DhcpLab.Create();
        lab.Readdress("192.168.67.1/24");
        var publicSide = lab.AddLink("nbs1", "192.168.1.10/24", "nbp0");
        var tftpRoot = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "tftp")).FullName;
        var config = File.ReadAllText(Path.Combine(TestPaths.Examples, "ltsp-2nic.conf"))
            .Replace("tftp-root=/var/lib/tftpboot", $"tftp-root={tftpRoot}", StringComparison.Ordinal);
        await lab.StartServerAsync(config);

        var lease = Task.Run(() => DhcpLab.RunClient(lab.Client, TimeSpan.FromSeconds(40), "busybox", "udhcpc", "-i", "nbc0", "-n", "-q", "-f", "-s", "/bin/true"));
        var offer = await PxeDiscoverAsync(publicSide);
        var (_, output) = await lease;

        var obtained = Regex.Match(output, @"lease of (192\.168\.67\.\d+) obtained from 192\.168\.67\.1");
        Assert.True(obtained.Success, lab.Failure(output));
        Assert.Equal(obtained.Groups[1].Value, Assert.Single(await lab.LeasesAsync()).Address);
        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.True(offer.YourAddress.IsZero);
        Assert.Equal("/ltsp/amd64/pxelinux.0", offer.BootFileName);
        Assert.True(offer.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var server));
        Assert.Equal(IPv4Address.Parse("192.168.1.10"), server);
        Assert.True(offer.Options.Contains(DhcpOptionCode.VendorSpecificInformation));
    }

    /// <summary>A BIOS PXE ROM's DISCOVER, broadcast from 0.0.0.0:68 on the public side.</summary>
    private static async Task<DhcpMessage> PxeDiscoverAsync(NetworkNamespace ns)
    {
        using var socket = ns.Run(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
            // SO_BINDTODEVICE: an interface without an address has no route; the ROM sends out of its only NIC.
            s.SetRawSocketOption(1, 25, Encoding.ASCII.GetBytes("nbp0\0"));
            s.Bind(new IPEndPoint(IPAddress.Any, 68));
            return s;
        });
        var mac = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x77, 0x00, 0x01]);
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, mac, 0x7777) with { Flags = 0x8000 };
        discover = discover with
        {
            Options = discover.Options
                .With(DhcpOptionCode.ClientSystemArchitecture, [0, 0])
                .With(DhcpOptionCode.VendorClassIdentifier, Encoding.ASCII.GetBytes("PXEClient:Arch:00000:UNDI:002001")),
        };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[1500];
        for (var attempt = 0; ; attempt++)
        {
            await socket.SendToAsync(DhcpMessageEncoder.Encode(discover), new IPEndPoint(IPAddress.Broadcast, 67), stop.Token);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            wait.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), wait.Token);
                    if (DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out _)
                        && reply.Operation == BootOperation.BootReply && reply.TransactionId == discover.TransactionId)
                    {
                        return reply;
                    }
                }
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested && attempt < 5)
            {
                // PXE ROMs retransmit too (PXE 2.1 §2.2.1: 4, 8, 16, 32 s); here every 2 s.
            }
        }
    }
}
