using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Interop.Tests.Hostile;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Interop.Tests.Tftp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Interop.Tests;

/// <summary>The daemon operations of issue 18 on the published server: <c>log-facility=FILE</c> rotated as logrotate
/// does (rename, SIGUSR2) without losing a line, <c>pid-file</c> written and removed, <c>dhcp-script</c> called for a
/// TFTP transfer.</summary>
[Trait("Category", "Interop")]
public sealed class OperationsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static HardwareAddress Mac(int i) => HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x18, (byte)(i >> 8), (byte)i]);

    private static Regex Offered(int i) => new($@"PXE\(nbs0\) {Regex.Escape(Mac(i).ToString())} proxy");

    /// <summary>One proxy DISCOVER per client, each answered before the next (so each has been logged by then).</summary>
    private static async Task DiscoverAsync(System.Net.Sockets.Socket socket, IEnumerable<int> clients)
    {
        foreach (var i in clients)
        {
            var xid = 0x18000000u + (uint)i;
            var reply = await HostileLab.AskAsync(socket, DhcpMessageEncoder.Encode(HostileLab.PxeDiscover(Mac(i), xid)),
                xid, new IPEndPoint(IPAddress.Broadcast, 67), TimeSpan.FromSeconds(2));
            Assert.NotNull(reply);
        }
    }

    [Fact]
    public async Task Log_file_renamed_then_reopened_on_sigusr2_loses_no_line_and_the_pid_file_lives_as_long_as_the_server()
    {
        await using var lab = DhcpLab.Create();
        var log = Path.Combine(lab.WorkDirectory, "netboot.log");
        var pid = Path.Combine(lab.WorkDirectory, "netboot.pid");
        await lab.StartServerAsync($"""
            port=0
            dhcp-range=10.78.0.0,proxy
            pxe-service=X86PC,"Boot from network",pxelinux
            log-dhcp
            log-facility={log}
            pid-file={pid}
            """, [], lab.DatabasePath, waitForStart: false);
        var file = new LogFile(log, "netboot.log");
        await file.WaitForAsync(new Regex("started, version"), Patience, 0, lab.ServerProcess.EnsureRunning);
        Assert.Equal(lab.ServerProcess.Id.ToString(CultureInfo.InvariantCulture) + "\n", File.ReadAllText(pid));
        using var client = HostileLab.ClientSocket(lab.Client, "nbc0");

        await DiscoverAsync(client, Enumerable.Range(0, 20));
        File.Move(log, log + ".1");
        // After logrotate's rename and before its signal: still written to the renamed file.
        await DiscoverAsync(client, Enumerable.Range(20, 20));
        lab.ServerProcess.Signal(12);
        await file.WaitForAsync(new Regex("reopened"), Patience, 0, lab.ServerProcess.EnsureRunning);
        await DiscoverAsync(client, Enumerable.Range(40, 20));
        await file.WaitForAsync(Offered(59), Patience, 0, lab.ServerProcess.EnsureRunning);

        // Each DISCOVER logs exactly one "PXE(nbs0) MAC proxy" line: it is in the renamed file or the new one, once.
        var rotated = File.ReadAllLines(log + ".1");
        var current = File.ReadAllLines(log);
        int Count(string[] lines, int i) => lines.Count(l => Offered(i).IsMatch(l));
        Assert.All(Enumerable.Range(0, 40), i => Assert.Equal((1, 0), (Count(rotated, i), Count(current, i))));
        Assert.All(Enumerable.Range(40, 20), i => Assert.Equal((0, 1), (Count(rotated, i), Count(current, i))));
        Assert.Matches(@"^\w{3} [ \d]\d \d\d:\d\d:\d\d netboot-dhcp\[\d+\]: ", current.First(l => Offered(40).IsMatch(l)));

        lab.ServerProcess.Signal(15);
        Assert.Equal(0, await lab.ServerProcess.WaitForExitAsync(Patience));
        Assert.False(File.Exists(pid), "the pid file is still there after a clean exit");
    }

    [Theory]
    [InlineData(null, "0")]
    [InlineData("nobody", "65534")]
    public async Task A_completed_tftp_transfer_calls_dhcp_script_with_tftp_size_address_and_file_as_the_script_user(string? scriptUser, string uid)
    {
        var folder = Directory.CreateTempSubdirectory("netboot-tftp-script-");
        try
        {
            // Readable and writable by the script user too.
            File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_101_101);
            var calls = Path.Combine(folder.FullName, "calls.txt");
            File.WriteAllText(calls, "");
            File.SetUnixFileMode(calls, (UnixFileMode)0b110_110_110);
            var script = Path.Combine(folder.FullName, "hook.sh");
            File.WriteAllText(script, $"#!/bin/sh\necho \"$(id -u) $*\" >> {calls}\n");
            File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
            string[] directives = scriptUser is null ? [$"dhcp-script={script}"] : [$"dhcp-script={script}", $"dhcp-scriptuser={scriptUser}"];
            await using var lab = await TftpLab.StartAsync(directives);
            var netboot = Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot");

            var got = await lab.RunClientAsync(netboot, "tftp-get", TftpLab.ServerAddress, TftpLab.SmallFile, "-o", lab.OutputPath("small"));
            Assert.Equal(0, got.ExitCode);

            var expected = $"{uid} tftp {TftpLab.SmallFileLength} {TftpLab.ClientAddress} {lab.PathInRoot(TftpLab.SmallFile)}";
            var callLog = new LogFile(calls, "calls.txt");
            await callLog.WaitForAsync(new Regex("^" + Regex.Escape(expected) + "$", RegexOptions.Multiline), Patience);
            Assert.Equal([expected], File.ReadAllLines(calls));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary><c>leasefile-ro</c>: the leases <c>dhcp-script init</c> prints are held at start (the client gets its
    /// address back), the script hears of each change (old for the renewed expiry, add for a new client), and no
    /// lease file is written.</summary>
    [Fact]
    public async Task Leasefile_ro_takes_the_leases_from_script_init_tells_the_script_and_writes_no_lease_file()
    {
        await using var lab = DhcpLab.Create();
        HostileLab.Build(lab);
        var calls = Path.Combine(lab.WorkDirectory, "calls.txt");
        var script = Path.Combine(lab.WorkDirectory, "leases.sh");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            if [ "$1" = init ]; then
              echo "$(( $(date +%s) + 3600 )) {{RelayDoraClient.Mac(5)}} 10.78.0.77 * *"
              exit 0
            fi
            echo "$*" >> {{calls}}
            """);
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        await lab.StartServerAsync(HostileLab.Config($"dhcp-script={script}\nleasefile-ro"));
        await lab.ServerProcess.Log.WaitForAsync(new Regex(@"1 leases read from \S+ init \(leasefile-ro\)"), Patience, 0, lab.ServerProcess.EnsureRunning);

        using (var relay = new RelayDoraClient(HostileLab.RelaySocket(lab), HostileLab.Relay, HostileLab.Server))
        {
            Assert.Equal("10.78.0.77", (await relay.DoraAsync(5, TimeSpan.FromSeconds(3)))?.ToString());
            Assert.NotNull(await relay.DoraAsync(6, TimeSpan.FromSeconds(3)));
        }

        var log = new LogFile(calls, "calls.txt");
        await log.WaitForAsync(new Regex($@"^add {Regex.Escape(RelayDoraClient.Mac(6).ToString())} 10\.78\.0\.\d+$", RegexOptions.Multiline), Patience);
        Assert.Matches($@"^old {Regex.Escape(RelayDoraClient.Mac(5).ToString())} 10\.78\.0\.77\n", File.ReadAllText(calls));
        Assert.False(File.Exists(lab.LeaseFilePath), "a lease file was written under leasefile-ro");
    }
}
