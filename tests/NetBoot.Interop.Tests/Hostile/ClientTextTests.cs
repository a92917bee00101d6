using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Tftp;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>Text a client controls, sent to a running <c>netboot serve</c>: it cannot forge a log line (DHCP options,
/// TFTP names and error messages, HTTP paths), and the lease script neither inherits the server's secrets nor gets a
/// host name that reads as an option.</summary>
[Trait("Category", "Interop")]
public sealed class ClientTextTests(ITestOutputHelper output)
{
    private const int HttpPort = 8088;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>What a hostile client appends to its text: a newline, a line that looks like NetBoot's, and a
    /// terminal escape that clears the screen of whoever tails the log.</summary>
    private const string ForgedLine = "Nov 25 21:50:48 netboot-dhcp: DHCPACK(nbs0) 10.78.0.66 de:ad:be:ef:00:01 forged";
    private const string Payload = "\n" + ForgedLine + "\u001b[2J";

    [Fact]
    public async Task Client_text_in_dhcp_tftp_and_http_cannot_forge_a_log_line()
    {
        await using var lab = DhcpLab.Create();
        var pxe = HostileLab.Build(lab);
        var root = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "tftp")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(root, "pxelinux.0"), new byte[4096]);
        await lab.StartServerAsync(HostileLab.Config($"log-dhcp\nenable-tftp\ntftp-root={root}\nhttp-port={HttpPort}"));
        var log = lab.ServerProcess.Log;

        // Proxy PXE DISCOVER: option 60 must start with PXEClient to be answered; 77 and 12 carry the payload too.
        using var pxeSocket = HostileLab.ClientSocket(pxe, "nbp0");
        var discover = HostileLab.PxeDiscover(HardwareAddress.Ethernet([0xde, 0xad, 0xbe, 0xef, 0, 1]), 0x7e570001);
        discover = discover with { Options = WithPayload(discover.Options, "PXEClient") };
        var offer = await HostileLab.AskAsync(pxeSocket, DhcpMessageEncoder.Encode(discover), discover.TransactionId,
            new IPEndPoint(IPAddress.Broadcast, 67), TimeSpan.FromSeconds(2));
        Assert.True(offer is { MessageType: DhcpMessageType.Offer }, lab.Failure("the PXE DISCOVER was not answered"));

        // Full DHCP through the relay: DISCOVER and REQUEST carrying the payload in 60, 77, 12, 81 and 61.
        using (var relay = new RelayDoraClient(HostileLab.RelaySocket(lab), HostileLab.Relay, HostileLab.Server))
        {
            Assert.True(await LeaseWithPayloadAsync(relay, RelayDoraClient.Mac(66), 0x7e570010), lab.Failure("the relayed DORA got no ACK"));
        }

        // TFTP: a refused name, then a size probe ended by a client ERROR whose text carries the payload.
        var (refused, probeEnded) = lab.Client.Run(() => (RefusedRead(), ProbeEndedByError()));
        Assert.Equal(TftpErrorCode.FileNotFound, refused); // the single answer for every refused name
        Assert.True(probeEnded, lab.Failure("no OACK for the tsize probe"));

        // HTTP: the path, percent-encoded (Kestrel decodes %0a and %1b into the path it hands over; the path policy then
        // refuses a name with a control character).
        using var http = lab.Client.Run(() => new TcpClient(AddressFamily.InterNetwork));
        var status = await HttpGetAsync(http, "/missing" + Uri.EscapeDataString(Payload));
        Assert.StartsWith("HTTP/1.1 404", status, StringComparison.Ordinal); // the single answer for every refused name

        // Every one of them is logged, escaped, on the line it belongs to.
        var escaped = Regex.Escape(@"\x0a" + ForgedLine + @"\x1b[2J");
        foreach (var expected in new[]
        {
            $@"PXE\(nbs1\) de:ad:be:ef:00:01 proxy \[DHCPDISCOVER on 67, arch 0 X86Bios, PXEClient{escaped}\]",
            $@"vendor class: PXEClient{escaped}",
            $@"vendor class: MSFT 5\.0{escaped}",
            $@"user class: {escaped}",
            $@"DHCPACK\(nbs0\) 10\.78\.0\.\d+ 02:4e:42:00:00:42",
            $@"TFTP request for missing{escaped} from 10\.78\.0\.2 refused: control character in the name",
            $@"size of .*pxelinux\.0 told to 10\.78\.0\.2 \(client ended after the options: client error 8: aborted{escaped}\)",
            $@"HTTP GET /missing{escaped} from 10\.78\.0\.2: 404 ",
        })
        {
            await log.WaitForAsync(new Regex(expected), Wait, 0, lab.ServerProcess.EnsureRunning);
        }

        var text = log.ReadAll();
        var lines = text.Split('\n');
        foreach (var line in lines.Where(l => l.Contains("forged", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain(lines, l => l.StartsWith(ForgedLine[..20], StringComparison.Ordinal));
        Assert.All(lines.Where(l => l.Contains(ForgedLine, StringComparison.Ordinal)),
            l => Assert.Contains(@"\x0a" + ForgedLine, l, StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.Contains(ForgedLine, StringComparison.Ordinal)) >= 7, lab.Failure("fewer escaped lines than sent"));
    }

    [Fact]
    public async Task The_lease_script_gets_no_server_secret_and_no_option_like_host_name()
    {
        await using var lab = DhcpLab.Create();
        HostileLab.Build(lab);
        var hook = Path.Combine(lab.WorkDirectory, "lease-hook");
        var dump = Path.Combine(lab.WorkDirectory, "lease-hook.out");
        await File.WriteAllTextAsync(hook, $"#!/bin/sh\n{{ echo \"ARGS $#:$*\"; env; echo END; }} >> '{dump}'\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // The server's environment holds a database password (as a systemd EnvironmentFile would give it).
        string[] secrets = ["env", "NETBOOT_DB_PASSWORD=db-secret-1", "PGPASSWORD=pg-secret-2", "NETBOOT_SOMETHING=private-3"];
        await lab.StartServerAsync(HostileLab.Config($"dhcp-script={hook}"), secrets, lab.DatabasePath);

        using (var relay = new RelayDoraClient(HostileLab.RelaySocket(lab), HostileLab.Relay, HostileLab.Server))
        {
            Assert.True(await LeaseNamedAsync(relay, RelayDoraClient.Mac(71), 0x7e570100, "-rf"), lab.Failure("no ACK for -rf"));
            Assert.True(await LeaseNamedAsync(relay, RelayDoraClient.Mac(72), 0x7e570200, "thin01.lab.example"), lab.Failure("no ACK for thin01"));
        }
        var calls = await ScriptCallsAsync(dump, 2);

        foreach (var call in calls)
        {
            output.WriteLine(string.Join(" | ", call));
        }
        var byMac = calls.Where(c => c[0].StartsWith("ARGS 3:add ", StringComparison.Ordinal) || c[0].StartsWith("ARGS 4:add ", StringComparison.Ordinal))
            .ToDictionary(c => c[0].Split(' ')[2]);
        Assert.Matches(@"^ARGS 3:add 02:4e:42:00:00:47 10\.78\.0\.\d+$", byMac["02:4e:42:00:00:47"][0]);
        Assert.Matches(@"^ARGS 4:add 02:4e:42:00:00:48 10\.78\.0\.\d+ thin01$", byMac["02:4e:42:00:00:48"][0]);
        foreach (var call in calls)
        {
            Assert.DoesNotContain(call, l => l.Contains("secret", StringComparison.Ordinal) || l.Contains("private-3", StringComparison.Ordinal));
            // The shell adds PWD (and SHLVL, _) itself; everything else comes from NetBoot: PATH and DNSMASQ_*.
            Assert.All(call.Skip(1).Select(l => l.Split('=')[0]),
                name => Assert.True(name is "PATH" or "PWD" or "SHLVL" or "_" || name.StartsWith("DNSMASQ_", StringComparison.Ordinal), name));
        }
        Assert.DoesNotContain(calls.SelectMany(c => c), l => l.Contains("-rf", StringComparison.Ordinal));
    }

    private static DhcpOptionList WithPayload(DhcpOptionList options, string vendorClass) => options
        .With(DhcpOptionCode.VendorClassIdentifier, Encoding.Latin1.GetBytes(vendorClass + Payload))
        .With(DhcpOptionCode.UserClass, Encoding.Latin1.GetBytes(Payload))
        .With(DhcpOptionCode.HostName, Encoding.Latin1.GetBytes("pc" + Payload))
        .With(DhcpOptionCode.ClientFqdn, [0, 0, 0, .. Encoding.Latin1.GetBytes("pc" + Payload)])
        .With(DhcpOptionCode.ClientIdentifier, [0, .. Encoding.Latin1.GetBytes(Payload)]);

    private static async Task<bool> LeaseWithPayloadAsync(RelayDoraClient relay, HardwareAddress mac, uint xid) =>
        await LeaseAsync(relay, mac, xid, options => WithPayload(options, "MSFT 5.0"));

    private static async Task<bool> LeaseNamedAsync(RelayDoraClient relay, HardwareAddress mac, uint xid, string name) =>
        await LeaseAsync(relay, mac, xid, options => options.With(DhcpOptionCode.HostName, Encoding.ASCII.GetBytes(name)));

    /// <summary>DISCOVER, then REQUEST for the offered address, both with <paramref name="extra"/> options; true on ACK.</summary>
    private static async Task<bool> LeaseAsync(RelayDoraClient relay, HardwareAddress mac, uint xid, Func<DhcpOptionList, DhcpOptionList> extra)
    {
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, mac, xid) with { RelayAgentAddress = HostileLab.Relay, Hops = 1 };
        discover = discover with { Options = extra(discover.Options) };
        if (await relay.ExchangeAsync(discover, TimeSpan.FromSeconds(5)) is not { MessageType: DhcpMessageType.Offer } offer)
        {
            return false;
        }
        var request = DhcpMessage.CreateRequest(DhcpMessageType.Request, mac, xid + 1) with { RelayAgentAddress = HostileLab.Relay, Hops = 1 };
        request = request with
        {
            Options = extra(request.Options
                .With(DhcpOptionCode.RequestedIPAddress, offer.YourAddress.ToBytes())
                .With(DhcpOptionCode.ServerIdentifier, HostileLab.Server.Address.GetAddressBytes())),
        };
        return await relay.ExchangeAsync(request, TimeSpan.FromSeconds(5)) is { MessageType: DhcpMessageType.Ack };
    }

    /// <summary>RRQ for a name with the payload (a control character: refused); the ERROR code that comes back.</summary>
    private static TftpErrorCode? RefusedRead()
    {
        using var socket = TftpSocket();
        socket.SendTo(TftpPacketEncoder.Encode(new TftpReadRequest("missing" + Payload, "octet", [])), TftpServer);
        return Receive(socket, out _) is TftpErrorPacket error ? error.Code : null;
    }

    /// <summary>RRQ with tsize, then ERROR 8 with the payload in answer to the OACK (as firmware ends a size probe).</summary>
    private static bool ProbeEndedByError()
    {
        using var socket = TftpSocket();
        socket.SendTo(TftpPacketEncoder.Encode(new TftpReadRequest("pxelinux.0", "octet", [new TftpOption("tsize", "0")])), TftpServer);
        if (Receive(socket, out var transferPort) is not TftpOptionAckPacket)
        {
            return false;
        }
        socket.SendTo(TftpPacketEncoder.Encode(new TftpErrorPacket(TftpErrorCode.OptionNegotiationFailed, "aborted" + Payload)), transferPort);
        return true;
    }

    private static readonly IPEndPoint TftpServer = new(IPAddress.Parse("10.78.0.1"), 69);

    private static Socket TftpSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        socket.Bind(new IPEndPoint(IPAddress.Parse("10.78.0.2"), 0));
        return socket;
    }

    private static TftpPacket? Receive(Socket socket, out EndPoint from)
    {
        var buffer = new byte[2048];
        from = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            var length = socket.ReceiveFrom(buffer, ref from);
            return TftpPacketDecoder.TryDecode(buffer.AsSpan(0, length), out var packet, out _) ? packet : null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return null;
        }
    }

    /// <summary>A raw HTTP/1.1 GET on <paramref name="client"/> (a socket made in the client namespace), so the path goes
    /// out exactly as written; the status line of the answer.</summary>
    private static async Task<string> HttpGetAsync(TcpClient client, string path)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(IPAddress.Parse("10.78.0.1"), HttpPort, limit.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 10.78.0.1\r\nConnection: close\r\n\r\n"), limit.Token);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync(limit.Token) ?? "";
    }

    /// <summary>Waits (bounded) until the hook has written <paramref name="count"/> calls; each is its lines from ARGS to END.</summary>
    private static async Task<List<List<string>>> ScriptCallsAsync(string dump, int count)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var calls = new List<List<string>>();
            if (File.Exists(dump))
            {
                List<string>? current = null;
                foreach (var line in await File.ReadAllLinesAsync(dump))
                {
                    if (line.StartsWith("ARGS ", StringComparison.Ordinal))
                    {
                        current = [line];
                    }
                    else if (line == "END" && current is not null)
                    {
                        calls.Add(current);
                        current = null;
                    }
                    else
                    {
                        current?.Add(line);
                    }
                }
            }
            if (calls.Count >= count)
            {
                return calls;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the lease script ran {calls.Count} of {count} times within {Wait.TotalSeconds} s");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
