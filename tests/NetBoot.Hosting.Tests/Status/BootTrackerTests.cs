using NetBoot.Hosting.Status;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Status;

public class BootTrackerTests
{
    private const string Mac = "52:54:00:12:34:56";
    private static readonly IPv4Address Leased = IPv4Address.Parse("10.0.0.50");
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    private static BootTrackerState Fold(params BootEvent[] events) => events.Aggregate(BootTrackerState.Empty, BootTracker.Apply);

    private static DhcpExchanged Dhcp(int second, string request, string mode, string? reply, string detail, params IPv4Address[] addresses) =>
        new(T0.AddSeconds(second), Mac, request, mode, addresses, reply, detail, "bios");

    [Fact]
    public void A_pxe_boot_goes_discover_offer_4011_file_done()
    {
        var stages = new List<string>();
        var state = BootTrackerState.Empty;
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
            state = BootTracker.Apply(state, e);
            stages.Add(state.Clients[Mac].StageText);
        }
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
        var state = Fold(new TransferStarted(T0, Leased, "http", "/boot.ipxe", -1));
        Assert.Equal("ip:10.0.0.50", Assert.Single(state.Clients.Keys));
        Assert.Equal("file", state.Clients["ip:10.0.0.50"].StageText);

        state = BootTracker.Apply(state, Dhcp(1, "REQUEST", "full", "ACK", "", Leased));
        Assert.Equal(Mac, Assert.Single(state.Clients.Keys));
        state = BootTracker.Apply(state, new TransferEnded(T0.AddSeconds(2), Leased, "http", "/boot.ipxe", 77, null));
        Assert.Equal("done", state.Clients[Mac].StageText);
    }

    [Fact]
    public void History_is_bounded()
    {
        var state = BootTrackerState.Empty;
        for (var i = 0; i < 40; i++)
        {
            state = BootTracker.Apply(state, Dhcp(i, "DISCOVER", "proxy", "OFFER", "proxy", []));
        }
        Assert.Equal(BootTracker.HistoryLength, state.Clients[Mac].History.Length);
    }

    [Fact]
    public void Prune_forgets_idle_clients_and_keeps_the_newest()
    {
        var state = BootTrackerState.Empty;
        for (var i = 0; i < 5; i++)
        {
            state = BootTracker.Apply(state, new DhcpExchanged(T0.AddMinutes(i), $"52:54:00:00:00:0{i}", "DISCOVER", "proxy",
                [IPv4Address.Parse($"10.0.0.{i + 1}")], "OFFER", "proxy"));
        }
        var pruned = BootTracker.Prune(state, T0.AddMinutes(4), TimeSpan.FromMinutes(3), maxClients: 2);
        Assert.Equal(["52:54:00:00:00:03", "52:54:00:00:00:04"], pruned.Clients.Keys.Order().ToArray());
        Assert.Equal(2, pruned.Owners.Count);
    }
}
