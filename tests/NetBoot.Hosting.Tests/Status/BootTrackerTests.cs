using NetBoot.Hosting.Status;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Status;

public class BootTrackerTests
{
    private const string Mac = "52:54:00:12:34:56";
    private static readonly HardwareAddress MacAddress = HardwareAddress.Ethernet([0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    private static readonly IPv4Address Leased = IPv4Address.Parse("10.0.0.50");
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    private static BootTrackerState Fold(params BootEvent[] events) => Tracker(events).Snapshot();

    private static BootTracker Tracker(params BootEvent[] events)
    {
        var tracker = new BootTracker();
        foreach (var e in events)
        {
            tracker.Apply(e);
        }
        return tracker;
    }

    private static DhcpExchanged Dhcp(int second, string request, string mode, string? reply, string detail, params IPv4Address[] addresses) =>
        new(T0.AddSeconds(second), MacAddress, request, mode, addresses, reply, detail, "bios");

    private static HardwareAddress Client(int n, byte type = 1) => new(type, [2, 0, 0, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);

    [Fact]
    public void A_pxe_boot_goes_discover_offer_4011_file_done()
    {
        var stages = new List<string>();
        var tracker = new BootTracker();
        BootEvent[] events =
        [
            Dhcp(0, "DISCOVER", "proxy", null, "waiting", []),
            Dhcp(1, "DISCOVER", "proxy", "OFFER", "proxy", []),
            Dhcp(2, "REQUEST", "4011", "ACK", "pxelinux.0", Leased),
            new TransferStarted(T0.AddSeconds(3), Leased, "tftp", "pxelinux.0", 1000),
            new TransferProgressed(T0.AddSeconds(4), Leased, "pxelinux.0", 420),
            new TransferEnded(T0.AddSeconds(5), Leased, "tftp", "pxelinux.0", 1000, null),
        ];
        foreach (var e in events)
        {
            tracker.Apply(e);
            stages.Add(tracker.Snapshot().Clients[Mac].StageText);
        }
        var state = tracker.Snapshot();
        Assert.Equal(["not answered: waiting", "offer", "4011", "file 0%", "file 42%", "done"], stages);
        var client = Assert.Single(state.Clients.Values);
        Assert.Equal("bios", client.Architecture);
        Assert.Equal(T0, client.FirstSeen);
        Assert.Equal(T0.AddSeconds(5), client.LastSeen);
        Assert.Contains(client.History, h => h.Text == "tftp pxelinux.0 done (1000 bytes)");
    }

    [Fact]
    public void A_failed_transfer_says_why()
    {
        var state = Fold(
            Dhcp(0, "DISCOVER", "full", "OFFER", "10.0.0.50", Leased),
            Dhcp(1, "REQUEST", "full", "ACK", "10.0.0.50", Leased),
            new TransferStarted(T0.AddSeconds(2), Leased, "tftp", "vmlinuz", 5000),
            new TransferEnded(T0.AddSeconds(9), Leased, "tftp", "vmlinuz", 512, "timed out (RetriesExhausted)"));
        var client = state.Clients[Mac];
        Assert.Equal(BootStage.Failed, client.Stage);
        Assert.Equal("failed: tftp vmlinuz: timed out (RetriesExhausted)", client.StageText);
    }

    [Fact]
    public void A_refused_file_is_a_failure_with_the_reason_and_no_stale_percentage()
    {
        var state = Fold(
            Dhcp(0, "REQUEST", "full", "ACK", "", Leased),
            new TransferEnded(T0.AddSeconds(1), Leased, "tftp", "pxelinux.0", 1000, null),
            new TransferRefused(T0.AddSeconds(2), Leased, "tftp", "missing.cfg", "file not found"));
        var client = state.Clients[Mac];
        Assert.Equal("failed: tftp missing.cfg: file not found", client.StageText);
        Assert.Null(client.Percent);
    }

    [Fact]
    public void A_size_probe_is_neither_done_nor_failed()
    {
        var state = Fold(
            Dhcp(0, "REQUEST", "4011", "ACK", "pxelinux.0", Leased),
            new TransferStarted(T0.AddSeconds(1), Leased, "tftp", "pxelinux.0", 1000),
            new TransferEnded(T0.AddSeconds(1), Leased, "tftp", "pxelinux.0", 0, null, IsProbe: true));
        Assert.Equal(BootStage.Transferring, state.Clients[Mac].Stage);
    }

    [Fact]
    public void An_ignored_request_meant_for_another_server_does_not_undo_progress()
    {
        var state = Fold(
            Dhcp(0, "DISCOVER", "proxy", "OFFER", "proxy", []),
            Dhcp(1, "REQUEST", "proxy", null, "request on port 67 is for the DHCP server", []));
        Assert.Equal("offer", state.Clients[Mac].StageText);
    }

    [Fact]
    public void A_client_never_answered_shows_the_reason()
    {
        var state = Fold(Dhcp(0, "DISCOVER", "proxy", null, "not a PXE client", []));
        Assert.Equal("not answered: not a PXE client", state.Clients[Mac].StageText);
    }

    [Fact]
    public void A_transfer_from_an_unknown_address_gets_its_own_entry_merged_once_dhcp_names_the_mac()
    {
        var tracker = Tracker(new TransferStarted(T0, Leased, "http", "/boot.ipxe", -1));
        Assert.Equal("ip:10.0.0.50", Assert.Single(tracker.Snapshot().Clients.Keys));
        Assert.Equal("file", tracker.Snapshot().Clients["ip:10.0.0.50"].StageText);

        tracker.Apply(Dhcp(1, "REQUEST", "full", "ACK", "", Leased));
        Assert.Equal(Mac, Assert.Single(tracker.Snapshot().Clients.Keys));
        tracker.Apply(new TransferEnded(T0.AddSeconds(2), Leased, "http", "/boot.ipxe", 77, null));
        Assert.Equal("done", tracker.Snapshot().Clients[Mac].StageText);
    }

    [Fact]
    public void History_is_bounded()
    {
        var tracker = new BootTracker();
        for (var i = 0; i < 40; i++)
        {
            tracker.Apply(Dhcp(i, "DISCOVER", "proxy", "OFFER", "proxy", []));
        }
        Assert.Equal(BootTracker.HistoryLength, tracker.Snapshot().Clients[Mac].History.Length);
    }

    [Fact]
    public void Idle_clients_are_forgotten_and_beyond_capacity_the_least_recently_seen_goes_first()
    {
        var tracker = new BootTracker(capacity: 2, maxAge: TimeSpan.FromMinutes(3));
        for (var i = 0; i < 5; i++)
        {
            tracker.Apply(new DhcpExchanged(T0.AddMinutes(i), Client(i), "DISCOVER", "proxy", [IPv4Address.Parse($"10.0.0.{i + 1}")], "OFFER", "proxy"));
        }
        Assert.Equal(["02:00:00:00:00:03", "02:00:00:00:00:04"], tracker.Snapshot().Clients.Keys.Order().ToArray());
        Assert.Equal(2, tracker.OwnerCount);

        tracker.Expire(T0.AddMinutes(6.5));
        Assert.Equal("02:00:00:00:00:04", Assert.Single(tracker.Snapshot().Clients.Keys));
        Assert.Equal(1, tracker.OwnerCount);
        tracker.Expire(T0.AddMinutes(8));
        Assert.Empty(tracker.Snapshot().Clients);
        Assert.Equal(0, tracker.OwnerCount);
    }

    [Fact]
    public void A_client_is_its_hardware_type_and_address_as_its_lease_is()
    {
        var tracker = Tracker(
            new DhcpExchanged(T0, Client(7), "DISCOVER", "proxy", [], "OFFER", "proxy"),
            new DhcpExchanged(T0, Client(7, type: 6), "DISCOVER", "proxy", [], null, "not a PXE client"));
        Assert.Equal(["02:00:00:00:00:07", "06-02:00:00:00:00:07"], tracker.Snapshot().Clients.Keys.Order().ToArray());
        Assert.Equal("offer", tracker.Snapshot().Clients["02:00:00:00:00:07"].StageText);
    }

    [Fact]
    public void A_client_keeps_only_its_newest_addresses()
    {
        var tracker = new BootTracker();
        for (var i = 0; i < 1000; i++)
        {
            tracker.Apply(new DhcpExchanged(T0.AddSeconds(i), MacAddress, "REQUEST", "proxy", [new IPv4Address((uint)(0x0a000000 + i))], null, "for the DHCP server"));
            Assert.InRange(tracker.OwnerCount, 1, BootTracker.MaxAddresses);
        }
        var client = tracker.Snapshot().Clients[Mac];
        Assert.Equal(["10.0.3.228", "10.0.3.229", "10.0.3.230", "10.0.3.231"], client.Addresses.Select(a => a.ToString()));
        // A transfer from a forgotten address is another client; from a kept one, this one.
        tracker.Apply(new TransferStarted(T0.AddSeconds(1000), IPv4Address.Parse("10.0.3.230"), "tftp", "pxelinux.0", 10));
        tracker.Apply(new TransferStarted(T0.AddSeconds(1000), IPv4Address.Parse("10.0.0.1"), "tftp", "pxelinux.0", 10));
        Assert.Equal("file 0%", tracker.Snapshot().Clients[Mac].StageText);
        Assert.Equal("file 0%", tracker.Snapshot().Clients["ip:10.0.0.1"].StageText);
    }

    [Fact]
    public void Text_a_client_influences_is_cut()
    {
        var name = new string('x', 5000);
        var client = Assert.Single(Fold(new TransferRefused(T0, Leased, "http", name, "file not found")).Clients.Values);
        Assert.Equal(BootTracker.MaxTextLength, client.File!.Length);
        Assert.Equal(BootTracker.MaxTextLength, client.Detail.Length);
        Assert.All(client.History, h => Assert.InRange(h.Text.Length, 1, BootTracker.MaxTextLength));
    }
}
