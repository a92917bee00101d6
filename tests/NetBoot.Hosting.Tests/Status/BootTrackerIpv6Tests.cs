using NetBoot.Hosting.Status;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Status;

public class BootTrackerIpv6Tests
{
    private const string Mac = "52:54:00:12:34:56";
    private const string Url = "tftp://[2001:db8::1]/ipxe.efi";
    private static readonly HardwareAddress MacAddress = HardwareAddress.Ethernet([0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    private static readonly Duid LinkLayerDuid = Duid.LinkLayer(MacAddress);
    private static readonly IPv6Address LinkLocal = IPv6Address.Parse("fe80::5054:ff:fe12:3456");
    private static readonly IPv6Address Leased = IPv6Address.Parse("2001:db8::5");
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    private static BootTracker Tracker(params BootEvent[] events)
    {
        var tracker = new BootTracker();
        foreach (var e in events)
        {
            tracker.Apply(e);
        }
        return tracker;
    }

    private static Dhcp6Exchanged Dhcp6(int second, Duid duid, string request, string? reply, string detail, string? url, params IPv6Address[] addresses) =>
        new(T0.AddSeconds(second), duid, request, addresses, reply, detail, url, "uefi-x64");

    [Fact]
    public void A_dhcpv6_boot_goes_advertise_reply_then_a_file_fetched_from_the_leased_address()
    {
        var stages = new List<string>();
        var tracker = new BootTracker();
        BootEvent[] events =
        [
            Dhcp6(0, LinkLayerDuid, "SOLICIT", "ADVERTISE", "2001:db8::5", Url, LinkLocal, Leased),
            Dhcp6(1, LinkLayerDuid, "REQUEST", "REPLY", "2001:db8::5", Url, LinkLocal, Leased),
            new TransferStarted(T0.AddSeconds(2), Leased, "tftp", "ipxe.efi", 1000),
            new TransferEnded(T0.AddSeconds(3), Leased, "tftp", "ipxe.efi", 1000, null),
        ];
        foreach (var e in events)
        {
            tracker.Apply(e);
            stages.Add(tracker.Snapshot().Clients[Mac].StageText);
        }

        Assert.Equal(["offer", "ack", "file 0%", "done"], stages);
        var client = Assert.Single(tracker.Snapshot().Clients.Values);
        Assert.Equal(["fe80::5054:ff:fe12:3456", "2001:db8::5"], client.Addresses.Select(a => a.ToString()));
        Assert.Equal("uefi-x64", client.Architecture);
        Assert.Contains(client.History, h => h.Text == $"REQUEST (DHCPv6) -> REPLY 2001:db8::5 boot file {Url}");
        Assert.Contains(client.History, h => h.Text == "tftp ipxe.efi done (1000 bytes)");
    }

    [Fact]
    public void A_machine_booting_over_ipv4_then_ipv6_is_one_client_when_its_duid_carries_its_mac()
    {
        var duid = Duid.LinkLayerPlusTime(MacAddress, T0.AddYears(-1));
        var tracker = Tracker(
            new DhcpExchanged(T0, MacAddress, "DISCOVER", "full", [IPv4Address.Parse("10.0.0.50")], "OFFER", "10.0.0.50"),
            new TransferEnded(T0.AddSeconds(1), IPv4Address.Parse("10.0.0.50"), "tftp", "ipxe.efi", 10, null),
            Dhcp6(2, duid, "SOLICIT", "REPLY", "2001:db8::5", Url, Leased));

        var client = Assert.Single(tracker.Snapshot().Clients.Values);
        Assert.Equal(Mac, client.Key);
        Assert.Equal("ack", client.StageText);
        Assert.Equal(["10.0.0.50", "2001:db8::5"], client.Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void A_client_whose_duid_carries_no_mac_is_keyed_by_its_duid()
    {
        var duid = Duid.Enterprise(32473, [1, 2, 3, 4]);
        var tracker = Tracker(
            Dhcp6(0, duid, "REQUEST", "REPLY", "2001:db8::5", null, Leased),
            new TransferRefused(T0.AddSeconds(1), Leased, "http", "/boot.ipxe", "file not found"));

        var client = Assert.Single(tracker.Snapshot().Clients.Values);
        Assert.Equal("duid:" + duid, client.Key);
        Assert.Equal("failed: http /boot.ipxe: file not found", client.StageText);
    }

    [Fact]
    public void A_client_seen_first_by_an_ipv6_transfer_is_merged_once_dhcpv6_names_it()
    {
        var tracker = Tracker(new TransferStarted(T0, Leased, "http", "/boot.ipxe", -1));
        Assert.Equal("ip:2001:db8::5", Assert.Single(tracker.Snapshot().Clients.Values).Key);

        tracker.Apply(Dhcp6(1, LinkLayerDuid, "RENEW", "REPLY", "2001:db8::5", null, Leased));
        tracker.Apply(new TransferEnded(T0.AddSeconds(2), Leased, "http", "/boot.ipxe", 77, null));

        var client = Assert.Single(tracker.Snapshot().Clients.Values);
        Assert.Equal(Mac, client.Key);
        Assert.Equal("done", client.StageText);
        Assert.Equal(1, tracker.OwnerCount);
    }

    [Fact]
    public void A_release_or_a_refusal_after_the_ack_does_not_undo_progress()
    {
        var tracker = Tracker(
            Dhcp6(0, LinkLayerDuid, "REQUEST", "REPLY", "2001:db8::5", Url, Leased),
            Dhcp6(1, LinkLayerDuid, "REQUEST", null, "no range on eth0", null),
            Dhcp6(2, LinkLayerDuid, "RELEASE", "REPLY", "release", null));

        var client = Assert.Single(tracker.Snapshot().Clients.Values);
        Assert.Equal("ack", client.StageText);
        Assert.Equal(Url, client.File);
        Assert.Contains(client.History, h => h.Text == "REQUEST (DHCPv6): not answered: no range on eth0");
    }

    [Fact]
    public void An_ipv4_mapped_address_is_the_ipv4_client()
    {
        var mapped = BootAddress.FromIPAddress(System.Net.IPAddress.Parse("::ffff:10.0.0.50"));

        Assert.True(mapped.IsIPv4);
        Assert.Equal((BootAddress)IPv4Address.Parse("10.0.0.50"), mapped);
        Assert.Equal("10.0.0.50", mapped.ToString());
        Assert.True(((BootAddress)IPv4Address.Any).IsZero);
        Assert.False(((BootAddress)Leased).IsIPv4);
    }
}
