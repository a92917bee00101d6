using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Servers;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Tftp;

/// <summary>A lossy, reordering link (5% of the server's datagrams lost, 5% delivered after the next one; by
/// <see cref="LossyUdpRelay"/>, as this kernel has no netem) at windowsize 16: the transfer completes byte-identical and netboot puts at most 1.5× the file on the
/// wire (its own "data bytes sent" count, retransmissions included): go-back to the last ACK once per gap or
/// timeout, never a window per duplicate ACK (the EDK2 windowsize storm).</summary>
[Trait("Category", "Interop")]
public sealed class TftpLossyLinkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Windowed_transfer_over_a_lossy_reordering_link_completes_with_bounded_extra_traffic()
    {
        await using var lab = await TftpLab.StartAsync();
        using var relay = lab.Client.Run(() => new LossyUdpRelay(IPAddress.Parse(TftpLab.ClientAddress), new IPEndPoint(IPAddress.Parse(TftpLab.ServerAddress), 69)));
        var netboot = Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot");
        var received = lab.OutputPath(TftpLab.SmallFile);
        var (code, _, stderr) = await lab.RunClientAsync(
            netboot, "tftp-get", "--blksize", "1024", "--windowsize", "16", "--timeout", "1", $"127.0.0.1:{relay.Port}", TftpLab.SmallFile, "-o", received);
        output.WriteLine(stderr);
        Assert.True(code == 0, stderr + lab.ServerProcess!.Log.Tail());
        Assert.Equal(TftpLab.Sha256File(lab.PathInRoot(TftpLab.SmallFile)), TftpLab.Sha256File(received));

        var sent = await lab.WaitForLogAsync(
            new Regex($@"sent \S+/{TftpLab.SmallFile} to {Regex.Escape(TftpLab.ClientAddress)}: .*, (\d+) retransmitted, (\d+) data bytes sent"),
            TimeSpan.FromSeconds(30));
        output.WriteLine($"{sent.Value}\nrelay: {relay.Dropped} dropped, {relay.Reordered} reordered");
        Assert.True(relay.Dropped > 0 && relay.Reordered > 0);
        var bytesSent = long.Parse(sent.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.True(bytesSent <= 1.5 * TftpLab.SmallFileLength,
            $"{bytesSent} bytes sent for a {TftpLab.SmallFileLength}-byte file ({(double)bytesSent / TftpLab.SmallFileLength:0.00}×)");
    }
}
