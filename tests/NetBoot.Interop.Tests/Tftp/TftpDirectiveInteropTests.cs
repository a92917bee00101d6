using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;
using NetBoot.Wire.Tftp;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Tftp;

/// <summary>The tftp-* directives in effect on a real server: unique roots by MAC (from the kernel's ARP table, or its
/// IPv6 neighbour table), tftp-secure, tftp-lowercase, tftp-mtu, tftp-port-range, tftp-single-port and
/// tftp-no-blocksize.</summary>
[Trait("Category", "Interop")]
public sealed class TftpDirectiveInteropTests(ITestOutputHelper output)
{
    private const int FirstPort = 40100;
    private const int LastPort = 40109;

    [Fact]
    public async Task Unique_root_by_mac_secure_lowercase_mtu_and_port_range_are_in_effect()
    {
        await using var lab = await TftpLab.StartAsync(
            "tftp-unique-root=mac", "tftp-secure", "tftp-lowercase", "tftp-mtu=1000", $"tftp-port-range={FirstPort},{LastPort}");
        var mac = Regex.Match(lab.Client.Exec("ip", "-o", "link", "show", TftpLab.ClientInterface), @"link/ether ([0-9a-f:]{17})").Groups[1].Value;
        // dnsmasq parity: when the client's directory exists, every name resolves inside it (no fall-back to the root).
        var own = mac.Replace(':', '-');
        Directory.CreateDirectory(lab.PathInRoot(own));
        File.SetUnixFileMode(lab.PathInRoot(own), (UnixFileMode)0b111_101_101);
        File.WriteAllText(lab.PathInRoot("who"), "everyone\n");
        File.WriteAllText(lab.PathInRoot(Path.Combine(own, "who")), "this client\n");
        File.Copy(lab.PathInRoot(TftpLab.SmallFile), lab.PathInRoot(Path.Combine(own, TftpLab.SmallFile)));
        File.WriteAllText(lab.PathInRoot(Path.Combine(own, "foreign")), "owned by nobody\n");
        Shell.Run("chown", "65534", lab.PathInRoot(Path.Combine(own, "foreign")));
        foreach (var file in new[] { "who", Path.Combine(own, "who"), Path.Combine(own, "foreign"), Path.Combine(own, TftpLab.SmallFile) })
        {
            File.SetUnixFileMode(lab.PathInRoot(file), (UnixFileMode)0b110_100_100);
        }

        var netboot = Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot");
        var who = await GetAsync(lab, netboot, "who");
        Assert.Equal("this client\n", File.ReadAllText(who.Path));

        var refused = await lab.RunClientAsync(netboot, "tftp-get", TftpLab.ServerAddress, "foreign", "-o", lab.OutputPath("foreign"));
        // The single answer for every refused name (issue 14); the log says why.
        Assert.Contains("error 1: File not found", refused.Stderr, StringComparison.Ordinal);
        await lab.WaitForLogAsync(new Regex(@"TFTP request for foreign from \S+ refused: permission denied: \S+/foreign is not owned by the server's user \(tftp-secure\)"), TimeSpan.FromSeconds(30));

        var upper = await GetAsync(lab, netboot, "SMALL.BIN", "--blksize", "1468");
        Assert.Equal(TftpLab.Sha256File(lab.PathInRoot(TftpLab.SmallFile)), TftpLab.Sha256File(upper.Path));
        // tftp-mtu=1000: blksize ≤ 1000 − 32.
        Assert.Contains("blksize 968", upper.Stderr, StringComparison.Ordinal);

        var port = lab.Client.Run(() => FirstDataSourcePort(TftpLab.SmallFile));
        Assert.InRange(port, FirstPort, LastPort);
    }

    /// <summary>dnsmasq parity (tftp.c, find_mac): an IPv6 client's MAC comes from the server's neighbour table, which
    /// holds it since the client's Neighbor Solicitation. curl over the global address and tftp-hpa <c>-6</c> over the
    /// link-local one both read from the client's own directory, as an IPv4 client does.</summary>
    [Fact]
    public async Task Unique_root_by_mac_serves_an_IPv6_client_from_its_own_directory()
    {
        const string server = "fd00:78::2";
        const string serverLinkLocal = "fe80::78:2";
        await using var lab = await TftpLab.StartAsync(lab =>
        {
            // nodad: usable at once (duplicate address detection would hold them "tentative" for a second).
            lab.Server.Exec("ip", "addr", "add", server + "/64", "dev", TftpLab.ServerInterface, "nodad");
            lab.Server.Exec("ip", "addr", "add", serverLinkLocal + "/64", "dev", TftpLab.ServerInterface, "nodad");
            lab.Client.Exec("ip", "addr", "add", "fd00:78::1/64", "dev", TftpLab.ClientInterface, "nodad");
            // And a link-local source the client can use at once: while its own fe80:: address is tentative, the kernel
            // would send to a link-local server from fd00:78::1.
            lab.Client.Exec("ip", "addr", "add", "fe80::78:1/64", "dev", TftpLab.ClientInterface, "nodad");
        }, "tftp-unique-root=mac");
        var mac = Regex.Match(lab.Client.Exec("ip", "-o", "link", "show", TftpLab.ClientInterface), @"link/ether ([0-9a-f:]{17})").Groups[1].Value;
        var own = mac.Replace(':', '-');
        Directory.CreateDirectory(lab.PathInRoot(own));
        File.SetUnixFileMode(lab.PathInRoot(own), (UnixFileMode)0b111_101_101);
        File.WriteAllText(lab.PathInRoot("who"), "everyone\n");
        File.WriteAllText(lab.PathInRoot(Path.Combine(own, "who")), "this client\n");
        foreach (var file in new[] { "who", Path.Combine(own, "who") })
        {
            File.SetUnixFileMode(lab.PathInRoot(file), (UnixFileMode)0b110_100_100);
        }

        var global = lab.OutputPath("who");
        var curl = await lab.RunClientAsync("curl", "-sS", "-g", "--max-time", "10", $"tftp://[{server}]/who", "-o", global);
        Assert.True(curl.ExitCode == 0, curl.Stderr + lab.ServerProcess!.Log.Tail());
        Assert.Equal("this client\n", File.ReadAllText(global));
        await lab.WaitForLogAsync(new Regex($@"sent \S+/{own}/who to fd00:78::1: "), TimeSpan.FromSeconds(30));

        var linkLocal = lab.OutputPath("who");
        var hpa = await lab.RunClientAsync("tftp", "-6", "-m", "binary", $"{serverLinkLocal}%{TftpLab.ClientInterface}", "-c", "get", "who", linkLocal);
        Assert.True(hpa.ExitCode == 0, hpa.Stderr + lab.ServerProcess!.Log.Tail());
        Assert.Equal("this client\n", File.ReadAllText(linkLocal));
        await lab.WaitForLogAsync(new Regex($@"sent \S+/{own}/who to fe80::[0-9a-f:]+%\d+: "), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Single_port_serves_every_transfer_from_port_69_and_no_blocksize_ignores_blksize()
    {
        await using var lab = await TftpLab.StartAsync("tftp-single-port", "tftp-no-blocksize");
        Assert.Equal(69, lab.Client.Run(() => FirstDataSourcePort(TftpLab.SmallFile)));

        var netboot = Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot");
        var clients = Enumerable.Range(0, 4).Select(_ => GetAsync(lab, netboot, TftpLab.SmallFile, "--blksize", "1468", "--windowsize", "8")).ToArray();
        foreach (var fetched in await Task.WhenAll(clients))
        {
            Assert.Equal(TftpLab.Sha256File(lab.PathInRoot(TftpLab.SmallFile)), TftpLab.Sha256File(fetched.Path));
            Assert.Contains("blksize 512, windowsize 8", fetched.Stderr, StringComparison.Ordinal);
        }
    }

    private async Task<(string Path, string Stderr)> GetAsync(TftpLab lab, string netboot, string file, params string[] options)
    {
        var path = lab.OutputPath(file);
        var (code, _, stderr) = await lab.RunClientAsync([netboot, "tftp-get", .. options, TftpLab.ServerAddress, file, "-o", path]);
        output.WriteLine(stderr);
        Assert.True(code == 0, stderr + lab.ServerProcess!.Log.Tail());
        return (path, stderr);
    }

    /// <summary>Sends an RRQ and returns the source port of the first DATA (the server's transfer ID), then ends
    /// the transfer with ERROR so the server does not wait for it.</summary>
    private static int FirstDataSourcePort(string file)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(TftpLab.ClientAddress), 0));
        socket.ReceiveTimeout = 5000;
        socket.SendTo(TftpPacketEncoder.Encode(new TftpReadRequest(file, "octet", [])), new IPEndPoint(IPAddress.Parse(TftpLab.ServerAddress), 69));
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var length = socket.ReceiveFrom(buffer, ref from);
        Assert.True(TftpPacketDecoder.TryReadData(buffer.AsSpan(0, length), out var block, out _), Encoding.ASCII.GetString(buffer, 0, length));
        Assert.Equal(1, block);
        socket.SendTo(TftpPacketEncoder.Encode(new TftpErrorPacket(TftpErrorCode.NotDefined, "enough")), from);
        return ((IPEndPoint)from).Port;
    }
}
