using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Interop.Tests.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>A DHCPv6 SOLICIT flood (random DUIDs and IAIDs from 64 source ports of one host, to ff02::1:2 at 3000 packets/s,
/// bounded in count): a well-behaved client on the same link (<c>netboot probe --ipv6</c>, from its link-local address)
/// gets its address during it, because dhcp-rate-limit charges the flood to its source address; without the gate the
/// flood's ADVERTISE holds would take the 256-address range within a tenth of a second.</summary>
[Trait("Category", "Interop")]
public sealed class Dhcp6FloodTests(ITestOutputHelper output)
{
    private const int FloodPackets = 20_000;
    private const int FloodRate = 3000;
    private const int MetricsPort = 9166;
    /// <summary>The flooding host's own address on the client link (the probe uses the link-local one).</summary>
    private const string FloodSource = "fd78::66";

    [Fact]
    public async Task A_client_gets_its_address_while_another_host_floods_solicits_with_random_duids()
    {
        await using var lab = DhcpLab.Create();
        await Dhcp6Lab.PrepareAsync(lab);
        lab.Client.Exec("ip", "-6", "addr", "add", FloodSource + "/64", "dev", "nbc0", "nodad");
        await lab.StartServerAsync(Dhcp6Lab.Config + $"\ndhcp-rate-limit=5,500\nmetrics-listen={MetricsPort}\n");
        var index = uint.Parse(lab.Client.Exec("cat", "/sys/class/net/nbc0/ifindex").Trim(), CultureInfo.InvariantCulture);
        var sockets = Enumerable.Range(0, 64).Select(_ => lab.Client.Run(() =>
        {
            var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Parse(FloodSource), 0));
            return s;
        })).ToArray();
        try
        {
            var servers = new IPEndPoint(new IPAddress(IPAddress.Parse("ff02::1:2").GetAddressBytes(), index), 547);
            var flood = Task.Run(() => FloodAsync(sockets, servers));
            var log = lab.ServerProcess.Log;
            await log.WaitForAsync(new Regex("DHCP rate limit reached on nbs0 port 547"), TimeSpan.FromSeconds(10), 0, lab.ServerProcess.EnsureRunning);

            var clock = Stopwatch.StartNew();
            var (code, report) = await Task.Run(() => DhcpLab.RunClient(lab.Client, TimeSpan.FromSeconds(20),
                Path.Combine(DhcpLab.PublishDirectory.Result, "netboot"), "probe", "--ipv6", "--interface", "nbc0", "--wait", "2", "--no-fetch"));
            var took = clock.Elapsed;
            var floodRunning = !flood.IsCompleted;
            var sent = await flood;
            var metrics = lab.Server.Exec("curl", "-sf", $"http://127.0.0.1:{MetricsPort}/metrics");
            output.WriteLine($"flood: {sent.Packets} packets in {sent.Elapsed.TotalSeconds:0.0}s; probe exit {code} after {took.TotalSeconds:0.0}s\n{report}");
            output.WriteLine(string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("netboot_dhcp6_", StringComparison.Ordinal))));

            Assert.True(floodRunning, lab.Failure($"the flood ended before the probe did ({sent.Elapsed.TotalSeconds:0.0}s): raise FloodPackets"));
            Assert.Matches(@"REPLY from fe80::\S+: address fd78::1[0-9a-f]{2}", report);
            Assert.True(took < TimeSpan.FromSeconds(10), $"the probe took {took.TotalSeconds:0.0}s");
            var dropped = Sample(metrics, "netboot_dhcp6_drops_total{reason=\"rate_limited\"}");
            var advertised = Sample(metrics, "netboot_dhcp6_replies_total{message_type=\"advertise\"}");
            // 5/s per address with a 20-request burst: the flood is shed before the responder (what the kernel's receive
            // buffer loses under load is neither dropped nor answered, hence half).
            Assert.True(dropped >= FloodPackets / 2, lab.Failure($"only {dropped} of {FloodPackets} flood SOLICITs dropped"));
            Assert.True(advertised < 100, lab.Failure($"{advertised} ADVERTISEs sent: the flood reached the responder"));
            lab.ServerProcess.EnsureRunning();
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>SOLICITs with random DUID-LLs and IAIDs, round-robin over the sockets, at <see cref="FloodRate"/> per second.</summary>
    private static async Task<(int Packets, TimeSpan Elapsed)> FloodAsync(Socket[] sockets, IPEndPoint servers)
    {
        var random = new Random(6);
        var clock = Stopwatch.StartNew();
        var mac = new byte[6];
        for (var n = 0; n < FloodPackets; n++)
        {
            random.NextBytes(mac);
            mac[0] = (byte)((mac[0] & 0xfe) | 0x02);
            var solicit = new Dhcp6Message
            {
                Type = Dhcp6MessageType.Solicit,
                TransactionId = (uint)random.Next(0, 0xFF_FFFF),
                Options = Dhcp6OptionList.Empty.Add(Duid.LinkLayer(HardwareAddress.Ethernet([.. mac])).ToOption(Dhcp6OptionCode.ClientId))
                    .Add(new Dhcp6IaNa((uint)random.Next(), TimeSpan.Zero, TimeSpan.Zero, Dhcp6OptionList.Empty).ToOption()),
            };
            await sockets[n % sockets.Length].SendToAsync(Dhcp6MessageEncoder.Encode(solicit), servers);
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

    private static double Sample(string exposition, string series)
    {
        var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
