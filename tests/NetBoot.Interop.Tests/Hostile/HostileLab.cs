using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>The hostile-traffic topology on <see cref="DhcpLab"/>: an owned range behind a relay on nbs0 (where floods
/// and hostile packets come from), a proxy-PXE network on nbs1 with one PXE client, and on demand a "far" network
/// on nbs2 that NetBoot does not serve.</summary>
/// <remarks><code>
/// [srv] nbs0 10.78.0.1/24 ── nbc0 10.78.0.2 [cli]   relay (giaddr 10.78.0.2): owned range .20-.119, dhcp-host .5
/// [srv] nbs1 10.80.0.1/24 ── nbp0 10.80.0.50 [pxe] proxy range 10.80.0.0, pxe-service
/// [srv] nbs2 10.90.0.1/24 ── nbf0 10.90.0.5 [far]  no range: requests from here get no reply
/// </code></remarks>
internal static class HostileLab
{
    public static readonly IPv4Address Relay = IPv4Address.Parse("10.78.0.2");
    public static readonly IPEndPoint Server = new(IPAddress.Parse("10.78.0.1"), 67);
    public static readonly IPEndPoint ProxyBootServer = new(IPAddress.Parse("10.80.0.1"), 4011);
    public const string StaticAddress = "10.78.0.5";
    public const int StaticClient = 1000;

    public static string Config(string extra = "") => $"""
        port=0
        dhcp-range=10.78.0.20,10.78.0.119,255.255.255.0,1h
        dhcp-host={RelayDoraClient.Mac(StaticClient)},{StaticAddress},static1
        dhcp-lease-max=5000
        dhcp-range=10.80.0.0,proxy
        pxe-service=X86PC,"Boot from network",pxelinux
        {extra}
        """;

    /// <summary>Addresses the links; returns the PXE client's namespace.</summary>
    public static NetworkNamespace Build(DhcpLab lab)
    {
        lab.Client.Exec("ip", "addr", "add", "10.78.0.2/24", "dev", "nbc0");
        var pxe = lab.AddLink("nbs1", "10.80.0.1/24", "nbp0");
        pxe.Exec("ip", "addr", "add", "10.80.0.50/24", "dev", "nbp0");
        return pxe;
    }

    public static NetworkNamespace AddFarNetwork(DhcpLab lab)
    {
        var far = lab.AddLink("nbs2", "10.90.0.1/24", "nbf0");
        far.Exec("ip", "addr", "add", "10.90.0.5/24", "dev", "nbf0");
        far.Exec("ip", "route", "add", "default", "via", "10.90.0.1");
        return far;
    }

    public static Socket RelaySocket(DhcpLab lab) => lab.Client.Run(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("10.78.0.2"), 67));
        return socket;
    });

    /// <summary>A PXE client's socket on 0.0.0.0:68, tied to its NIC, allowed to broadcast.</summary>
    public static Socket ClientSocket(NetworkNamespace ns, string device) => ns.Run(() =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        s.SetRawSocketOption(1, 25, Encoding.ASCII.GetBytes(device + "\0"));
        s.Bind(new IPEndPoint(IPAddress.Any, 68));
        return s;
    });

    public static DhcpMessage PxeDiscover(HardwareAddress mac, uint xid)
    {
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, mac, xid) with { Flags = 0x8000 };
        return discover with
        {
            Options = discover.Options
                .With(DhcpOptionCode.ClientSystemArchitecture, [0, 0])
                .With(DhcpOptionCode.VendorClassIdentifier, Encoding.ASCII.GetBytes("PXEClient:Arch:00000:UNDI:002001")),
        };
    }

    /// <summary>A boot-server request (port 4011) for the first basename pxe-service (type 0x8000) from <paramref name="client"/>.</summary>
    public static DhcpMessage BootServerRequest(HardwareAddress mac, uint xid, IPv4Address client)
    {
        var request = PxeDiscover(mac, xid) with { Flags = 0, ClientAddress = client };
        return request with
        {
            Options = request.Options
                .With(DhcpOptionCode.DhcpMessageType, [(byte)DhcpMessageType.Request])
                .With(DhcpOptionCode.VendorSpecificInformation, [71, 4, 0x80, 0x00, 0, 0, 255]),
        };
    }

    /// <summary>Sends and waits for a BOOTREPLY with the same xid on <paramref name="socket"/>; retries like firmware
    /// (a datagram may be lost while a link is busy); null when all attempts stay unanswered.</summary>
    public static async Task<DhcpMessage?> AskAsync(Socket socket, byte[] datagram, uint xid, EndPoint to, TimeSpan wait, int attempts = 3)
    {
        var buffer = new byte[2048];
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            await socket.SendToAsync(datagram, to);
            using var timeout = new CancellationTokenSource(wait);
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
                    if (DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out _)
                        && reply.Operation == BootOperation.BootReply && reply.TransactionId == xid)
                    {
                        return reply;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        return null;
    }

    /// <summary>VmRSS and VmHWM (peak) of a process, in MiB.</summary>
    public static (double Rss, double Peak) Memory(int pid)
    {
        double rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kib(line) / 1024.0;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kib(line) / 1024.0;
            }
        }
        return (rss, peak);

        static long Kib(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
