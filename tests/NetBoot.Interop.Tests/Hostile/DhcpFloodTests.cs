using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>A DHCP starvation flood (30 000 random MACs through the relay at 3000 packets/s, two thirds DISCOVER,
/// one third REQUEST for a pool address): the pool may fill, but a dhcp-host, a renewal and a PXE client on the other
/// interface are answered throughout, the flood is shed by dhcp-rate-limit, and the server's memory stays bounded.</summary>
[Trait("Category", "Interop")]
public sealed class DhcpFloodTests(ITestOutputHelper output)
{
    private const int FloodPackets = 30_000;
    private const int FloodRate = 3000;
    private const double MemoryCeilingMiB = 250;
    private static readonly TimeSpan ProbeWait = TimeSpan.FromMilliseconds(700);

    [Fact]
    public async Task Static_hosts_renewals_and_pxe_on_another_interface_are_served_through_a_starvation_flood()
    {
        await using var lab = DhcpLab.Create();
        var pxe = HostileLab.Build(lab);
        await lab.StartServerAsync(HostileLab.Config("dhcp-rate-limit=5,500"));
        using var relay = new RelayDoraClient(HostileLab.RelaySocket(lab), HostileLab.Relay, HostileLab.Server);
        using var pxeSocket = HostileLab.ClientSocket(pxe, "nbp0");
        var pid = lab.ServerProcess.Id;

        // A client with a lease before the flood: it renews during it.
        var renewing = await relay.DoraAsync(1, TimeSpan.FromSeconds(2));
        Assert.True(renewing is not null, lab.Failure("no lease before the flood"));
        var before = HostileLab.Memory(pid);

        using var flooder = lab.Client.Run(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Parse("10.78.0.2"), 0));
            return s;
        });
        var flood = Task.Run(() => FloodAsync(flooder));

        var rounds = 0;
        var failures = new List<string>();
        var peakRss = before.Rss;
        uint xid = 0x5eed0000;
        while (!flood.IsCompleted || rounds < 3)
        {
            rounds++;
            var staticAddress = await relay.DoraAsync(HostileLab.StaticClient, ProbeWait) ?? await relay.DoraAsync(HostileLab.StaticClient, ProbeWait);
            if (staticAddress?.ToString() != HostileLab.StaticAddress)
            {
                failures.Add($"round {rounds}: dhcp-host got {staticAddress?.ToString() ?? "no answer"}");
            }
            var renew = DhcpMessage.CreateRequest(DhcpMessageType.Request, RelayDoraClient.Mac(1), ++xid) with
            {
                ClientAddress = renewing.Value, RelayAgentAddress = HostileLab.Relay, Hops = 1,
            };
            var ack = await relay.ExchangeAsync(renew, ProbeWait) ?? await relay.ExchangeAsync(renew with { TransactionId = ++xid }, ProbeWait);
            if (ack is not { MessageType: DhcpMessageType.Ack } || ack.YourAddress != renewing.Value)
            {
                failures.Add($"round {rounds}: renewal got {ack?.MessageType.ToString() ?? "no answer"} {ack?.YourAddress}");
            }
            var discover = HostileLab.PxeDiscover(HardwareAddress.Ethernet([0x52, 0x54, 0, 0x77, 0, 1]), ++xid);
            var offer = await HostileLab.AskAsync(pxeSocket, DhcpMessageEncoder.Encode(discover), xid, new IPEndPoint(IPAddress.Broadcast, 67), ProbeWait, 2);
            if (offer is not { MessageType: DhcpMessageType.Offer, YourAddress.IsZero: true })
            {
                failures.Add($"round {rounds}: PXE client on nbs1 got {offer?.MessageType.ToString() ?? "no answer"}");
            }
            peakRss = Math.Max(peakRss, HostileLab.Memory(pid).Rss);
            await Task.Delay(300);
        }
        var sent = await flood;
        // The summary of what was shed is written by the next request once its interval is over: keep asking (bounded).
        var log = lab.ServerProcess.Log;
        var summary = new Regex(@"DHCP rate limit on nbs0 port 67: (\d+) requests dropped");
        for (var wait = 0; wait < 15 && !log.Contains(summary); wait++)
        {
            await relay.DoraAsync(HostileLab.StaticClient, ProbeWait);
            await Task.Delay(1000);
        }
        var after = HostileLab.Memory(pid);
        output.WriteLine($"flood: {sent.Packets} packets in {sent.Elapsed.TotalSeconds:0.0}s ({sent.Packets / sent.Elapsed.TotalSeconds:0} /s); probe rounds {rounds}, failed {failures.Count}");
        output.WriteLine($"server RSS before {before.Rss:0.0} MiB, max sampled {peakRss:0.0} MiB, after {after.Rss:0.0} MiB, VmHWM (peak) {after.Peak:0.0} MiB");
        output.WriteLine(string.Join('\n', log.ReadAll().Split('\n').Where(l => l.Contains("rate limit", StringComparison.Ordinal)).Take(5)));

        Assert.True(failures.Count == 0, lab.Failure(string.Join('\n', failures)));
        Assert.True(rounds >= 5, $"only {rounds} probe rounds");
        lab.ServerProcess.EnsureRunning();
        Assert.True(log.Contains(new Regex("DHCP rate limit reached on nbs0 port 67")), lab.Failure("the flood was not shed"));
        var dropped = log.ReadAll().Split('\n').Select(l => summary.Match(l)).Where(m => m.Success).Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        // 3000/s against 500/s for 10 s (plus a 2000-request burst): most of the flood is shed before any decision.
        Assert.True(dropped >= FloodPackets / 2, lab.Failure($"only {dropped} of {FloodPackets} flood requests dropped"));
        Assert.True(after.Peak < MemoryCeilingMiB, $"peak RSS {after.Peak:0.0} MiB over the {MemoryCeilingMiB} MiB ceiling");

        var leases = await lab.LeasesAsync();
        Assert.Equal(leases.Count, leases.Select(l => l.Address).Distinct().Count());
        Assert.Contains(leases, l => l.Address == HostileLab.StaticAddress && l.HardwareAddress == RelayDoraClient.Mac(HostileLab.StaticClient).ToString());
        Assert.Contains(leases, l => l.Address == renewing.Value.ToString() && l.HardwareAddress == RelayDoraClient.Mac(1).ToString());
        Assert.All(leases, l => Assert.StartsWith("10.78.0.", l.Address, StringComparison.Ordinal));
        output.WriteLine($"{leases.Count} leases bound after the flood (pool of 100 + 1 dhcp-host)");
    }

    /// <summary>Random MACs and xids at <see cref="FloodRate"/> per second, bounded by <see cref="FloodPackets"/>.</summary>
    private static async Task<(int Packets, TimeSpan Elapsed)> FloodAsync(Socket socket)
    {
        var random = new Random(8);
        var clock = Stopwatch.StartNew();
        var mac = new byte[6];
        for (var n = 0; n < FloodPackets; n++)
        {
            random.NextBytes(mac);
            mac[0] = (byte)((mac[0] & 0xfe) | 0x02);
            var type = n % 3 == 2 ? DhcpMessageType.Request : DhcpMessageType.Discover;
            var message = DhcpMessage.CreateRequest(type, HardwareAddress.Ethernet([.. mac]), (uint)random.Next()) with
            {
                RelayAgentAddress = HostileLab.Relay, Hops = 1,
            };
            if (type == DhcpMessageType.Request)
            {
                message = message with
                {
                    Options = message.Options
                        .With(DhcpOptionCode.RequestedIPAddress, [10, 78, 0, (byte)random.Next(20, 120)])
                        .With(DhcpOptionCode.ServerIdentifier, [10, 78, 0, 1]),
                };
            }
            await socket.SendToAsync(DhcpMessageEncoder.Encode(message), HostileLab.Server);
            if (n % 30 == 29)
            {
                var due = TimeSpan.FromSeconds((double)(n + 1) / FloodRate) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }
            }
        }
        return (FloodPackets, clock.Elapsed);
    }
}
