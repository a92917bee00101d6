using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Hosting.Scripts;

namespace NetBoot.Hosting.Tests.Scripts;

/// <summary><c>script-arp</c>: the kernel's ARP table read as dnsmasq's arp.c reads it, and <c>arp-add</c>/<c>arp-del</c>
/// calls for what changed between two readings.</summary>
public sealed class ArpScriptWatcherTests : IDisposable
{
    private const string Header = "IP address       HW type     Flags       HW address            Mask     Device\n";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("netboot-arp-");

    [Fact]
    public void Only_complete_entries_with_a_mac_are_neighbours()
    {
        var table = Header +
            "10.0.0.5         0x1         0x2         52:54:00:AA:BB:01     *        eth0\n" +
            "10.0.0.6         0x1         0x0         00:00:00:00:00:00     *        eth0\n" +
            "10.0.0.7         0x1         0x6         52:54:00:aa:bb:02     *        eth1\n" +
            "10.0.0.8         0x1         0x2         00:00:00:00:00:00     *        eth1\n";

        Assert.Equal(
            [new ArpNeighbour("10.0.0.5", "52:54:00:aa:bb:01"), new ArpNeighbour("10.0.0.7", "52:54:00:aa:bb:02")],
            ArpScriptWatcher.Parse(table));
    }

    [Fact]
    public void Changes_are_the_neighbours_that_came_and_those_that_went_or_changed_mac()
    {
        var a = new ArpNeighbour("10.0.0.5", "52:54:00:00:00:01");
        var b = new ArpNeighbour("10.0.0.6", "52:54:00:00:00:02");
        var bMoved = new ArpNeighbour("10.0.0.6", "52:54:00:00:00:99");
        var c = new ArpNeighbour("10.0.0.7", "52:54:00:00:00:03");

        var (added, removed) = ArpScriptWatcher.Changes(new HashSet<ArpNeighbour> { a, b }, new HashSet<ArpNeighbour> { a, bMoved, c });

        Assert.Equal([bMoved, c], added);
        Assert.Equal([b], removed);
    }

    [Fact]
    public void The_call_is_the_action_the_mac_and_the_address_with_no_lease_variables()
    {
        var start = ArpScriptWatcher.Start("/usr/local/bin/hook", "arp-add", new ArpNeighbour("10.0.0.5", "52:54:00:00:00:01"));

        Assert.Equal(["arp-add", "52:54:00:00:00:01", "10.0.0.5"], start.ArgumentList);
        Assert.Equal(["PATH"], start.Environment.Keys);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_first_reading_announces_every_neighbour_and_the_next_one_what_changed()
    {
        var table = Path.Combine(_folder.FullName, "arp");
        var output = Path.Combine(_folder.FullName, "calls.txt");
        var script = Path.Combine(_folder.FullName, "hook.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$@\" >> {output}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var runner = new ScriptRunner(script, null, NullLogger.Instance);
        var loop = runner.RunAsync(CancellationToken.None);
        var watcher = new ArpScriptWatcher(runner, TimeProvider.System, NullLogger.Instance, table);
        File.WriteAllText(table, Header +
            "10.0.0.5         0x1         0x2         52:54:00:00:00:01     *        eth0\n" +
            "10.0.0.6         0x1         0x2         52:54:00:00:00:02     *        eth0\n");
        watcher.Poll();

        File.WriteAllText(table, Header +
            "10.0.0.6         0x1         0x2         52:54:00:00:00:02     *        eth0\n" +
            "10.0.0.7         0x1         0x2         52:54:00:00:00:03     *        eth0\n");
        watcher.Poll();
        runner.Complete();
        await loop.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(
            ["arp-add 52:54:00:00:00:01 10.0.0.5", "arp-add 52:54:00:00:00:02 10.0.0.6",
             "arp-del 52:54:00:00:00:01 10.0.0.5", "arp-add 52:54:00:00:00:03 10.0.0.7"],
            File.ReadAllLines(output));
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
