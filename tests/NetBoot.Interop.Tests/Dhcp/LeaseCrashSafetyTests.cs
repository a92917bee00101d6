using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NetBoot.Wire.Net;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>kill -9 during a burst of relayed DORA exchanges, restart: every ACKed lease is in the database and no
/// address goes to a second client.</summary>
[Trait("Category", "Interop")]
public sealed class LeaseCrashSafetyTests
{
    private const int Clients = 600;
    private const int KillAfterAcks = 250;
    private const int InFlight = 32;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(2);
    private static readonly IPv4Address Relay = IPv4Address.Parse("10.79.0.2");

    private const string Config = """
        port=0
        dhcp-range=10.79.0.10,10.79.3.250,255.255.252.0,1h
        dhcp-lease-max=5000
        no-ping
        """;

    [Fact]
    public async Task Every_acked_lease_survives_kill_9_and_no_address_is_given_twice()
    {
        await using var lab = DhcpLab.Create();
        // A /22 for 1000 addresses; the client namespace plays a relay on 10.79.0.2 (perfdhcp's way): replies come back
        // to it on port 67.
        lab.Server.Exec("ip", "addr", "flush", "dev", "nbs0");
        lab.Server.Exec("ip", "addr", "add", "10.79.0.1/22", "dev", "nbs0");
        lab.Client.Exec("ip", "addr", "add", "10.79.0.2/22", "dev", "nbc0");
        await lab.StartServerAsync(Config);
        using var client = new RelayDoraClient(RelaySocket(lab), Relay, new IPEndPoint(IPAddress.Parse("10.79.0.1"), 67));

        var acked = new ConcurrentDictionary<int, IPv4Address>();
        var killed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Clients), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (n, _) =>
        {
            // Once the server is dead, clients not yet started stay quiet (the ones in flight time out).
            if (Volatile.Read(ref killed) == 0 && await client.DoraAsync(n, StepTimeout) is { } address)
            {
                acked[n] = address;
                if (acked.Count >= KillAfterAcks && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    await lab.KillServerAsync();
                }
            }
        });
        Assert.True(killed == 1, lab.Failure($"only {acked.Count} ACKs before the burst ended"));
        Assert.InRange(acked.Count, KillAfterAcks, Clients - 1);

        await lab.StartServerAsync(Config);
        var stored = (await lab.LeasesAsync()).ToDictionary(l => l.HardwareAddress, l => l.Address);
        foreach (var (n, address) in acked)
        {
            Assert.True(stored.TryGetValue(RelayDoraClient.Mac(n).ToString(), out var kept), lab.Failure($"ACKed lease {address} of client {n} lost"));
            Assert.Equal(address.ToString(), kept);
        }

        // After the restart every client asks again: the ACKed ones get their address back, and no two share one.
        var after = new ConcurrentDictionary<int, IPv4Address>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Clients), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (n, _) =>
        {
            if (await client.DoraAsync(n, StepTimeout) is { } address)
            {
                after[n] = address;
            }
        });
        Assert.True(after.Count == Clients, lab.Failure($"{after.Count} of {Clients} clients completed a DORA after the restart"));
        Assert.Equal(Clients, after.Values.Distinct().Count());
        foreach (var (n, address) in acked)
        {
            Assert.Equal(address, after[n]);
        }
    }

    private static Socket RelaySocket(DhcpLab lab) => lab.Client.Run(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("10.79.0.2"), 67));
        return socket;
    });
}
