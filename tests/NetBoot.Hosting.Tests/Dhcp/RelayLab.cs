using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Net;
using NetBoot.Leases;
using NetBoot.Testing;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary>Real sockets for a DHCP service test: a server namespace (10.N.0.1/24) and a relay namespace (10.N.0.2/24)
/// joined by a veth pair, a scratch folder and a one-minute stop token. The relay side talks to the server as a relay
/// agent does (perfdhcp too): from port 67 of its own address, with giaddr set. Needs root.</summary>
internal sealed class RelayLab : IDisposable
{
    public RelayLab(string name, int network)
    {
        Server = NetworkNamespace.Create($"nb{name}srv");
        Client = NetworkNamespace.Create($"nb{name}cli");
        ServerAddress = IPAddress.Parse($"10.{network}.0.1");
        RelayAddress = IPAddress.Parse($"10.{network}.0.2");
        WorkDirectory = Directory.CreateTempSubdirectory($"netboot-{name}-").FullName;
        NetworkNamespace.Link(Server, $"{name}0", $"{ServerAddress}/24", Client, $"{name}1", $"{RelayAddress}/24");
    }

    public NetworkNamespace Server { get; }

    public NetworkNamespace Client { get; }

    public IPAddress ServerAddress { get; }

    public IPAddress RelayAddress { get; }

    public string WorkDirectory { get; }

    public CancellationTokenSource Stop { get; } = new(TimeSpan.FromMinutes(1));

    public static ServerConfig Parse(string text, string name)
    {
        var loaded = DnsmasqConfigReader.Parse(text, name);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        return loaded.Config!;
    }

    /// <summary>Runs a DHCP service with <paramref name="config"/> (and <paramref name="store"/>) in the server namespace.</summary>
    public Task Serve(ServerConfig config, ILeaseStore? store, CancellationToken? stop = null)
    {
        var service = new DhcpService(new ConfigSnapshot(config), NullLogger<DhcpService>.Instance, TimeProvider.System, store);
        return Server.Run(() => service.RunAsync(HostInterface.Enumerate(), stop ?? Stop.Token));
    }

    /// <summary>A socket bound to port 67 of the relay address, as a relay agent's.</summary>
    public Socket RelaySocket() => Client.Run(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(RelayAddress, 67));
        return socket;
    });

    public void Dispose()
    {
        Stop.Cancel();
        Stop.Dispose();
        Client.Dispose();
        Server.Dispose();
        Directory.Delete(WorkDirectory, recursive: true);
    }
}
