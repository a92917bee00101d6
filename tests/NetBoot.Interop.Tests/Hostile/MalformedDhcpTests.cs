using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>Oversized, truncated and contradictory DHCP packets on 67 and 4011 neither crash netboot nor get a wrong
/// answer, and boot-server requests from a network NetBoot does not serve get no reply.</summary>
[Trait("Category", "Interop")]
public sealed class MalformedDhcpTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Hostile_packets_get_no_reply_or_a_correct_one_and_the_server_keeps_serving()
    {
        await using var lab = DhcpLab.Create();
        var pxe = HostileLab.Build(lab);
        var far = HostileLab.AddFarNetwork(lab);
        await lab.StartServerAsync(HostileLab.Config());
        using var relay = new RelayDoraClient(HostileLab.RelaySocket(lab), HostileLab.Relay, HostileLab.Server);
        using var pxeSocket = HostileLab.ClientSocket(pxe, "nbp0");
        using var farSocket = HostileLab.ClientSocket(far, "nbf0");
        var replies = new ConcurrentDictionary<uint, (int Length, DhcpMessage Message)>();
        using var stop = new CancellationTokenSource();
        var listeners = new[] { pxeSocket, farSocket }.Select(s => ListenAsync(s, replies, stop.Token)).ToArray();

        // Relayed to the owned range (replies come back to the relay socket, collected by xid below).
        var relayed = new Dictionary<string, (uint Xid, byte[] Datagram)>();
        uint xid = 0xbad00000;
        byte[] Relayed(DhcpMessage m) => DhcpMessageEncoder.Encode(m with { RelayAgentAddress = HostileLab.Relay, Hops = 1 });
        DhcpMessage Discover() => DhcpMessage.CreateRequest(DhcpMessageType.Discover, RelayDoraClient.Mac((int)(xid & 0xffff)), ++xid);

        var valid = Relayed(Discover());
        relayed["truncated to 100 bytes"] = (xid, valid[..100]);
        relayed["truncated inside the options"] = (++xid, [.. Relayed(Discover() with { TransactionId = xid })[..243]]);
        relayed["empty datagram"] = (++xid, []);
        var huge = Relayed(Discover());
        relayed["oversized: 6000 bytes of pad options after the end"] = (xid, [.. huge, .. new byte[6000]]);
        var overload = Relayed(Discover());
        relayed["overload (52=3) pointing to garbage file and sname"] = (xid, Overloaded(overload));
        var twice = Relayed(Discover());
        relayed["option 53 twice (DISCOVER then REQUEST)"] = (xid, BeforeEnd(twice, 53, 1, 3));
        var pastEnd = Relayed(Discover());
        relayed["option length past the end"] = (xid, [.. pastEnd[..EndOffset(pastEnd)], 60, 200, (byte)'P', (byte)'X']);
        var longHardware = Relayed(Discover());
        longHardware[2] = 200;
        relayed["hlen 200"] = (xid, longHardware);
        var reply = Relayed(Discover());
        reply[0] = 2;
        relayed["a BOOTREPLY sent to the server"] = (xid, reply);
        var bigMax = Discover();
        relayed["option 57 = 65535"] = (xid, Relayed(bigMax with { Options = bigMax.Options.With(DhcpOptionCode.MaximumDhcpMessageSize, [0xff, 0xff]) }));
        var tinyMax = Discover();
        relayed["option 57 = 1"] = (xid, Relayed(tinyMax with { Options = tinyMax.Options.With(DhcpOptionCode.MaximumDhcpMessageSize, [0, 1]) }));
        var everything = Discover();
        relayed["option 55 asking for every option"] = (xid, Relayed(everything with
        {
            Options = everything.Options.With(DhcpOptionCode.ParameterRequestList, [.. Enumerable.Range(1, 254).Select(i => (byte)i)]),
        }));

        var relayAnswers = new Dictionary<string, DhcpMessage?>();
        foreach (var (name, (id, datagram)) in relayed)
        {
            relayAnswers[name] = await ExchangeRawAsync(name, relay, lab, datagram, id);
        }

        // Proxy side: a DISCOVER claiming a relay NetBoot has no range for; 4011 from the far network, to both addresses.
        var mac = HardwareAddress.Ethernet([0x52, 0x54, 0, 0x66, 0, 1]);
        var relayedProxy = HostileLab.PxeDiscover(mac, ++xid) with { RelayAgentAddress = IPv4Address.Parse("10.99.0.1"), Flags = 0 };
        await pxeSocket.SendToAsync(DhcpMessageEncoder.Encode(relayedProxy), new IPEndPoint(IPAddress.Broadcast, 67));
        var giaddrXid = xid;
        var farBoot = HostileLab.BootServerRequest(mac, ++xid, IPv4Address.Parse("10.90.0.5"));
        await farSocket.SendToAsync(DhcpMessageEncoder.Encode(farBoot), HostileLab.ProxyBootServer);
        await farSocket.SendToAsync(DhcpMessageEncoder.Encode(farBoot), new IPEndPoint(IPAddress.Parse("10.90.0.1"), 4011));
        var farXid = xid;
        var farDiscover = HostileLab.PxeDiscover(mac, ++xid);
        await farSocket.SendToAsync(DhcpMessageEncoder.Encode(farDiscover), new IPEndPoint(IPAddress.Parse("10.80.0.1"), 67));
        var farDiscoverXid = xid;
        // Garbage on 4011 from the PXE network itself.
        await pxeSocket.SendToAsync(valid[..150], HostileLab.ProxyBootServer);
        await Task.Delay(Quiet);

        // The control: the same boot-server request from the served network is answered.
        var control = HostileLab.BootServerRequest(HardwareAddress.Ethernet([0x52, 0x54, 0, 0x66, 0, 2]), ++xid, IPv4Address.Parse("10.80.0.50"));
        await stop.CancelAsync();
        await Task.WhenAll(listeners);
        var controlReply = await HostileLab.AskAsync(pxeSocket, DhcpMessageEncoder.Encode(control), xid, HostileLab.ProxyBootServer, TimeSpan.FromSeconds(1));
        var afterwards = await relay.DoraAsync(3, TimeSpan.FromSeconds(2));

        foreach (var (name, answer) in relayAnswers)
        {
            output.WriteLine($"{name}: {(answer is null ? "no reply" : $"{answer.MessageType} {answer.YourAddress} ({_lengths.GetValueOrDefault(name)} bytes)")}");
        }
        output.WriteLine($"proxy DISCOVER with foreign giaddr: {(replies.ContainsKey(giaddrXid) ? "REPLY" : "no reply")}; 4011 from 10.90.0.5: {(replies.ContainsKey(farXid) ? "REPLY" : "no reply")}; DISCOVER from 10.90.0.5: {(replies.ContainsKey(farDiscoverXid) ? "REPLY" : "no reply")}");

        lab.ServerProcess.EnsureRunning();
        foreach (var name in new[]
        {
            "truncated to 100 bytes", "truncated inside the options", "empty datagram", "overload (52=3) pointing to garbage file and sname",
            "option length past the end", "hlen 200", "a BOOTREPLY sent to the server",
        })
        {
            Assert.True(relayAnswers[name] is null, $"{name}: answered {relayAnswers[name]?.MessageType}");
        }
        // Contradictory type: never an ACK (no lease without a REQUEST that NetBoot understood).
        Assert.NotEqual(DhcpMessageType.Ack, relayAnswers["option 53 twice (DISCOVER then REQUEST)"]?.MessageType);
        // Well-formed but extreme requests get a normal OFFER that fits a 1500-byte link, or a 576-byte datagram.
        foreach (var name in new[] { "oversized: 6000 bytes of pad options after the end", "option 57 = 65535", "option 57 = 1", "option 55 asking for every option" })
        {
            Assert.True(relayAnswers[name] is { MessageType: DhcpMessageType.Offer }, $"{name}: {relayAnswers[name]?.MessageType.ToString() ?? "no reply"}");
        }
        Assert.True(_lengths["option 57 = 65535"] <= 1472, $"OFFER of {_lengths["option 57 = 65535"]} bytes");
        Assert.True(_lengths["option 57 = 1"] <= 576, $"OFFER of {_lengths["option 57 = 1"]} bytes for a client that accepts 576");
        Assert.False(replies.ContainsKey(giaddrXid), "a proxy DISCOVER relayed from a network without a range was answered");
        Assert.False(replies.ContainsKey(farXid), "a 4011 request from a network NetBoot does not serve was answered");
        Assert.False(replies.ContainsKey(farDiscoverXid), "a DISCOVER from a network NetBoot does not serve was answered");
        Assert.True(controlReply is { MessageType: DhcpMessageType.Ack }, lab.Failure("the boot server stopped answering its own network"));
        Assert.True(afterwards is not null, lab.Failure("no lease after the hostile packets"));
        Assert.True(lab.ServerProcess.Log.Contains(new Regex("malformed DHCP packet from")), lab.Failure("malformed packets were not logged"));
    }

    private readonly Dictionary<string, int> _lengths = [];

    private async Task<DhcpMessage?> ExchangeRawAsync(string name, RelayDoraClient relay, DhcpLab lab, byte[] datagram, uint xid)
    {
        // The relay client matches replies by xid; send the raw bytes through its socket's path with a throwaway socket.
        using var sender = lab.Client.Run(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Parse("10.78.0.2"), 0));
            return s;
        });
        var answer = relay.WaitForAsync(xid, Quiet);
        await sender.SendToAsync(datagram, HostileLab.Server);
        var reply = await answer;
        if (reply is { } r)
        {
            _lengths[name] = r.Length;
        }
        return reply?.Message;
    }

    /// <summary>Sets option 52 = 3 (file and sname hold options) and fills both with bytes that are no options.</summary>
    private static byte[] Overloaded(byte[] datagram)
    {
        var bytes = datagram.ToArray();
        new Random(52).NextBytes(bytes.AsSpan(44, 64 + 128));
        for (var i = 44; i < 44 + 192; i++)
        {
            if (bytes[i] == 255)
            {
                bytes[i] = 254;
            }
        }
        return BeforeEnd(bytes, 52, 1, 3);
    }

    /// <summary>Where END (255) is in the options area (the encoder pads after it to BOOTP's 300 bytes).</summary>
    private static int EndOffset(byte[] datagram)
    {
        var i = 240;
        while (i < datagram.Length && datagram[i] != 255)
        {
            i += datagram[i] == 0 ? 1 : 2 + datagram[i + 1];
        }
        return i;
    }

    /// <summary>The datagram with <paramref name="option"/> bytes inserted just before END.</summary>
    private static byte[] BeforeEnd(byte[] datagram, params byte[] option)
    {
        var end = EndOffset(datagram);
        return [.. datagram[..end], .. option, 255];
    }

    private static async Task ListenAsync(Socket socket, ConcurrentDictionary<uint, (int, DhcpMessage)> replies, CancellationToken stop)
    {
        var buffer = new byte[2048];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stop);
                if (DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out _) && reply.Operation == BootOperation.BootReply)
                {
                    replies[reply.TransactionId] = (received.ReceivedBytes, reply);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
