using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Leases;
using NetBoot.Engine.Limits;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.DecisionAssert;
using static NetBoot.Engine.Tests.Dhcp.Messages;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary>docs/client-identity.md, one rule at a time: a machine boots through several DHCP clients (PXE ROM, iPXE,
/// GRUB, the initramfs, the booted system), each with its own idea of who it is; a reservation holds at every stage and a
/// dynamic machine holds one lease.</summary>
public sealed class ClientIdentityTests
{
    private static readonly IPv4Address Server = LeaseHarness.Server;
    private static readonly IPv4Address Reserved = IPv4Address.Parse("192.168.67.111");
    private static readonly HardwareAddress Thin01 = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x79, 0x00, 0x81]);

    /// <summary>iPXE: option 61 = 01 + MAC.</summary>
    private static byte[] IpxeId(HardwareAddress mac) => [1, .. mac.Bytes];

    /// <summary>systemd-networkd: option 61 = 0xff + IAID + DUID (RFC 4361).</summary>
    private static readonly byte[] NetworkdId = [0xff, 0x9a, 0x1b, 0x2c, 0x3d, 0x00, 0x02, 0x00, 0x00, 0xab, 0x11, 0x5e, 0x0c, 0x2f, 0x4b, 0x6f, 0x1a, 0x33];

    private static DhcpMessage WithId(DhcpMessage message, byte[] clientId) => With(message, DhcpOptionCode.ClientIdentifier, clientId);

    private static LeaseHarness Reservation(string extra = "") => new(
        DnsmasqConfigReader.Parse($"dhcp-range=192.168.67.20,192.168.67.250,12h\ndhcp-host=52:54:00:79:00:81,thin01,{Reserved},infinite{extra}\ndhcp-authoritative", "t.conf").Config!)
    {
        Interface = new ArrivalInterface("eth1", 3, Server, IPv4Address.Parse("255.255.255.0")),
    };

    private static LeaseHarness Dynamic() => new(LeaseHarness.OwnedConfig());

    /// <summary>DISCOVER then SELECTING REQUEST through <paramref name="decorate"/>: the ACK (or the NAK).</summary>
    private static SendReply Dora(LeaseHarness harness, HardwareAddress mac, Func<DhcpMessage, DhcpMessage> decorate)
    {
        var offer = Reply(harness.Send(decorate(Discover(mac))).Decision);
        Assert.Equal(DhcpMessageType.Offer, offer.Message.MessageType);
        return Reply(harness.Send(decorate(Selecting(mac, offer.Message.YourAddress, Server))).Decision);
    }

    private static void AssertAck(SendReply reply, IPv4Address address)
    {
        Assert.Equal(DhcpMessageType.Ack, reply.Message.MessageType);
        Assert.Equal(address, reply.Message.YourAddress);
    }

    [Fact]
    public void The_initramfs_without_client_id_then_networkd_with_a_duid_both_get_the_reserved_address()
    {
        var harness = Reservation();

        AssertAck(Dora(harness, Thin01, m => m), Reserved);
        AssertAck(Dora(harness, Thin01, m => WithId(m, NetworkdId)), Reserved);

        var lease = Assert.Single(harness.Leases.All);
        Assert.Equal(Reserved, lease.Address);
        Assert.Equal(NetworkdId, lease.ClientId.ToArray());
    }

    [Fact]
    public void Ipxe_with_client_id_then_grub_without_one_both_get_the_reserved_address()
    {
        var harness = Reservation();

        AssertAck(Dora(harness, Thin01, m => WithId(m, IpxeId(Thin01))), Reserved);
        AssertAck(Dora(harness, Thin01, m => m), Reserved);

        // dnsmasq lease_set_hwaddr: a request without option 61 keeps the lease's.
        var lease = Assert.Single(harness.Leases.All);
        Assert.Equal(IpxeId(Thin01), lease.ClientId.ToArray());
    }

    [Fact]
    public void A_reserved_address_leased_to_another_identity_of_the_same_mac_moves_to_the_new_identity()
    {
        var harness = Reservation();
        AssertAck(Dora(harness, Thin01, m => WithId(m, IpxeId(Thin01))), Reserved);

        // networkd's DUID and iPXE's 01:MAC are two client identifiers: no lookup rule ties them, the reservation does.
        var offer = harness.Send(WithId(Discover(Thin01), NetworkdId));
        Assert.Equal(Reserved, Reply(offer.Decision).Message.YourAddress);
        Assert.Null(offer.Change); // dnsmasq moves the lease at the REQUEST, not at the OFFER
        var ack = harness.Send(WithId(Selecting(Thin01, Reserved, Server), NetworkdId));

        AssertAck(Reply(ack.Decision), Reserved);
        var change = Assert.IsType<LeaseUpsert>(ack.Change);
        Assert.Equal(LeaseEvent.Old, change.Event);
        Assert.Equal(IpxeId(Thin01), Assert.Single(change.Replaces).ClientId.ToArray());
        Assert.Equal(NetworkdId, Assert.Single(harness.Leases.All).ClientId.ToArray());
    }

    [Fact]
    public void The_reserved_address_renewed_by_the_new_identity_is_acked_on_every_retry()
    {
        var harness = Reservation();
        AssertAck(Dora(harness, Thin01, m => m), Reserved);
        AssertAck(Dora(harness, Thin01, m => WithId(m, NetworkdId)), Reserved);

        for (var retry = 0; retry < 3; retry++)
        {
            AssertAck(Reply(harness.Send(WithId(Renewing(Thin01, Reserved), NetworkdId)).Decision), Reserved);
        }
    }

    [Fact]
    public void A_dynamic_client_that_changes_identity_holds_one_lease()
    {
        var harness = Dynamic();

        var first = Dora(harness, Thin01, m => m).Message.YourAddress;
        var second = Dora(harness, Thin01, m => WithId(m, NetworkdId)).Message.YourAddress;

        Assert.Equal(first, second);
        var lease = Assert.Single(harness.Leases.All);
        Assert.Equal(NetworkdId, lease.ClientId.ToArray());
    }

    [Fact]
    public void A_lease_is_found_by_client_identifier_first_even_from_another_mac()
    {
        var harness = Dynamic();
        var address = Dora(harness, Thin01, m => WithId(m, NetworkdId)).Message.YourAddress;

        var other = Mac(77);
        AssertAck(Reply(harness.Send(WithId(Renewing(other, address), NetworkdId)).Decision), address);
        Assert.Equal(other, Assert.Single(harness.Leases.All).HardwareAddress);
    }

    [Fact]
    public void Two_client_identifiers_on_one_mac_are_two_clients_without_a_reservation()
    {
        // dnsmasq lease_find_by_client: the hardware fallback applies only when the lease or the request has no option 61.
        var harness = Dynamic();

        var ipxe = Dora(harness, Thin01, m => WithId(m, IpxeId(Thin01))).Message.YourAddress;
        var networkd = Dora(harness, Thin01, m => WithId(m, NetworkdId)).Message.YourAddress;

        Assert.NotEqual(ipxe, networkd);
        Assert.Equal(2, harness.Leases.Count);
    }

    [Fact]
    public void A_host_with_two_macs_has_one_holder_at_a_time()
    {
        var wired = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x79, 0x00, 0x01]);
        var wireless = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x79, 0x00, 0x02]);
        var harness = new LeaseHarness(DnsmasqConfigReader.Parse(
            $"dhcp-range=192.168.67.20,192.168.67.250,12h\ndhcp-host=52:54:00:79:00:01,52:54:00:79:00:02,laptop,{Reserved}\ndhcp-authoritative", "t.conf").Config!);

        AssertAck(Dora(harness, wired, m => m), Reserved);
        AssertAck(Dora(harness, wireless, m => m), Reserved);

        Assert.Equal(wireless, Assert.Single(harness.Leases.All).HardwareAddress);
        // dnsmasq: the last NIC to ask holds it; the address is never leased twice.
        AssertAck(Reply(harness.Send(Renewing(wired, Reserved)).Decision), Reserved);
        Assert.Equal(wired, Assert.Single(harness.Leases.All).HardwareAddress);
    }

    [Fact]
    public void A_reserved_address_held_by_another_machine_is_not_taken_and_the_pool_offer_is_acked()
    {
        var harness = Reservation();
        var stranger = Mac(200);
        harness.Leases.Put(new Lease(Reserved, ClientKey.ForHardware(stranger), stranger, [], null, harness.Now.AddHours(1), LeaseState.Bound));

        var ack = Dora(harness, Thin01, m => WithId(m, NetworkdId));

        Assert.Equal(DhcpMessageType.Ack, ack.Message.MessageType);
        Assert.NotEqual(Reserved, ack.Message.YourAddress);
        Assert.Equal(stranger, harness.Leases.ByAddress(Reserved)!.HardwareAddress);
    }

    [Fact]
    public void A_renewal_into_another_address_while_the_reserved_one_is_free_is_sent_back_to_discover()
    {
        var harness = Reservation();
        var pool = IPv4Address.Parse("192.168.67.60");
        harness.Leases.Put(new Lease(pool, ClientKey.ForHardware(Thin01), Thin01, [], null, harness.Now.AddHours(1), LeaseState.Bound));

        var nak = Reply(harness.Send(Renewing(Thin01, pool)).Decision);

        Assert.Equal(DhcpMessageType.Nak, nak.Message.MessageType);
        Assert.Equal(ReplyAnswer.Nak(pool, "static lease available"), nak.Answer);
        AssertAck(Dora(harness, Thin01, m => m), Reserved);
        Assert.Single(harness.Leases.All);
    }

    [Fact]
    public void Id_star_keeps_no_client_identifier_so_every_stage_finds_the_lease_by_mac()
    {
        var harness = Reservation(",id:*");

        AssertAck(Dora(harness, Thin01, m => WithId(m, IpxeId(Thin01))), Reserved);
        Assert.True(Assert.Single(harness.Leases.All).ClientId.IsDefaultOrEmpty);
        AssertAck(Dora(harness, Thin01, m => WithId(m, NetworkdId)), Reserved);

        var lease = Assert.Single(harness.Leases.All);
        Assert.True(lease.ClientId.IsDefaultOrEmpty);
        Assert.Equal(ClientKey.ForHardware(Thin01), lease.Client);
    }

    [Fact]
    public void A_host_by_client_identifier_also_names_the_stage_that_sends_none_through_its_lease()
    {
        var harness = new LeaseHarness(DnsmasqConfigReader.Parse(
            $"dhcp-range=192.168.67.20,192.168.67.250,12h\ndhcp-host=id:01:52:54:00:79:00:81,thin01,{Reserved}\ndhcp-authoritative", "t.conf").Config!);

        AssertAck(Dora(harness, Thin01, m => WithId(m, IpxeId(Thin01))), Reserved);
        // GRUB's net_bootp sends no option 61: dnsmasq matches the host with the client identifier of its lease.
        AssertAck(Dora(harness, Thin01, m => m), Reserved);
    }

    [Fact]
    public void A_dhcpcd_client_identifier_with_a_leading_zero_matches_the_host_written_without_it()
    {
        var harness = new LeaseHarness(DnsmasqConfigReader.Parse(
            $"dhcp-range=192.168.67.20,192.168.67.250,12h\ndhcp-host=id:thin01,{Reserved}", "t.conf").Config!);

        AssertAck(Dora(harness, Thin01, m => WithId(m, [0, .. "thin01"u8.ToArray()])), Reserved);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(32)]
    [InlineData(255)]
    public void Another_htype_never_gets_a_reserved_address(byte htype)
    {
        var harness = Reservation();
        var copy = new HardwareAddress(htype, Thin01.Bytes.AsSpan());

        var offer = Reply(harness.Send(Discover(copy)).Decision);

        Assert.NotEqual(Reserved, offer.Message.YourAddress);
        var nak = Reply(harness.Send(Selecting(copy, Reserved, Server)).Decision);
        Assert.Equal(DhcpMessageType.Nak, nak.Message.MessageType);
        // The real machine still gets its address.
        AssertAck(Dora(harness, Thin01, m => m), Reserved);
    }

    [Fact]
    public void Another_htype_does_not_find_the_lease_of_the_same_mac_bytes()
    {
        var harness = Dynamic();
        var address = Dora(harness, Thin01, m => m).Message.YourAddress;

        var copy = new HardwareAddress(6, Thin01.Bytes.AsSpan());
        harness.Send(Release(copy, address, Server));

        Assert.Equal(Thin01, harness.Leases.ByAddress(address)!.HardwareAddress);
    }

    [Fact]
    public void A_forged_release_from_another_identity_frees_nothing()
    {
        var harness = Dynamic();
        var address = Dora(harness, Thin01, m => WithId(m, IpxeId(Thin01))).Message.YourAddress;

        harness.Send(Release(Mac(9), address, Server));                             // another MAC
        harness.Send(WithId(Release(Mac(9), address, Server), [1, 2, 3]));          // another MAC and client id
        harness.Send(WithId(Release(Thin01, address, Server), NetworkdId));         // the MAC, another client id
        harness.Send(Release(new HardwareAddress(6, Thin01.Bytes.AsSpan()), address, Server)); // the MAC, another htype
        harness.Send(WithId(Release(Thin01, address, IPv4Address.Parse("192.168.67.2")), IpxeId(Thin01))); // another server

        Assert.Equal(LeaseState.Bound, harness.Leases.ByAddress(address)!.State);
        // The owner's own RELEASE frees it.
        harness.Send(WithId(Release(Thin01, address, Server), IpxeId(Thin01)));
        Assert.Null(harness.Leases.ByAddress(address));
    }

    [Fact]
    public void A_release_without_client_id_frees_the_lease_granted_with_one_to_the_same_mac()
    {
        // The same rule as the lookup: GRUB (no option 61) releasing what iPXE (01:MAC) leased.
        var harness = Dynamic();
        var address = Dora(harness, Thin01, m => WithId(m, IpxeId(Thin01))).Message.YourAddress;

        harness.Send(Release(Thin01, address, Server));

        Assert.Null(harness.Leases.ByAddress(address));
    }

    [Fact]
    public void A_forged_decline_from_another_identity_quarantines_nothing()
    {
        var harness = Dynamic();
        var address = Dora(harness, Thin01, m => m).Message.YourAddress;

        harness.Send(Decline(Mac(9), address, Server));
        harness.Send(WithId(Decline(Mac(9), address, Server), [1, .. Mac(9).Bytes]));

        Assert.Equal(LeaseState.Bound, harness.Leases.ByAddress(address)!.State);
        harness.Send(Decline(Thin01, address, Server));
        Assert.Equal(LeaseState.Declined, harness.Leases.ByAddress(address)!.State);
    }

    [Fact]
    public void An_inform_changes_no_lease_whoever_sends_it()
    {
        var harness = Dynamic();
        var address = Dora(harness, Thin01, m => m).Message.YourAddress;
        var before = harness.Leases.ByAddress(address);

        var outcome = harness.Send(Inform(Mac(9), address));

        Assert.Null(outcome.Change);
        Assert.Same(before, harness.Leases.ByAddress(address));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 17)]
    [InlineData(1, 255)]
    [InlineData(0, 6)]
    public void A_request_without_a_usable_hardware_address_is_dropped(byte htype, byte hlen)
    {
        var harness = Reservation();
        var message = Discover(Thin01) with { HardwareType = htype, HardwareAddressLength = hlen };

        var outcome = harness.Send(WithId(message, NetworkdId));

        Silent(outcome.Decision, NoReplyReason.NotADhcpMessage);
        Assert.Null(outcome.Change);
        Assert.Empty(harness.Leases.All);
    }

    [Fact]
    public void Cycling_htype_does_not_lift_the_per_client_rate_limit()
    {
        var gate = new DhcpAdmission(new DhcpRateLimitConfig(5, 0));
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var admitted = Enumerable.Range(1, 255)
            .Count(htype => gate.Admit(new ClientIdentity(new HardwareAddress((byte)htype, Thin01.Bytes.AsSpan()), []), true, now) == Admission.Admitted);

        Assert.Equal(5 * DhcpRateLimitConfig.BurstSeconds, admitted);
    }

    [Fact]
    public void Cycling_chaddr_behind_a_copied_client_identifier_does_not_lift_the_per_client_rate_limit()
    {
        var gate = new DhcpAdmission(new DhcpRateLimitConfig(5, 0));
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var admitted = Enumerable.Range(0, 1000)
            .Count(n => gate.Admit(new ClientIdentity(Mac(n), [.. NetworkdId]), true, now) == Admission.Admitted);

        Assert.Equal(5 * DhcpRateLimitConfig.BurstSeconds, admitted);
    }

    [Fact]
    public void A_copy_of_a_reserved_mac_with_another_htype_is_not_a_known_client()
    {
        var config = Reservation().Config;

        Assert.True(DhcpAdmission.IsKnown(Discover(Thin01), config, null));
        Assert.False(DhcpAdmission.IsKnown(Discover(new HardwareAddress(6, Thin01.Bytes.AsSpan())), config, null));
    }

    [Fact]
    public void A_request_without_client_id_is_known_by_the_lease_its_mac_got_with_one()
    {
        var harness = Dynamic();
        Dora(harness, Thin01, m => WithId(m, IpxeId(Thin01)));

        Assert.True(DhcpAdmission.IsKnown(Discover(Thin01), harness.Config, harness.Leases));
        Assert.False(DhcpAdmission.IsKnown(WithId(Discover(Thin01), NetworkdId), harness.Config, harness.Leases));
    }

    [Fact]
    public void A_plain_mac_in_dhcp_host_is_ethernet_and_a_typed_one_keeps_its_type()
    {
        var hosts = DnsmasqConfigReader.Parse("dhcp-host=52:54:00:79:00:81,10.0.0.5\ndhcp-host=06-52:54:00:79:00:82,10.0.0.6", "t.conf").Config!.Hosts;

        Assert.Equal(HardwareAddressPattern.Ethernet, hosts[0].HardwareAddresses[0].HardwareType);
        Assert.Equal(6, hosts[1].HardwareAddresses[0].HardwareType);
        Assert.True(hosts[1].HardwareAddresses[0].Matches(new HardwareAddress(6, [0x52, 0x54, 0x00, 0x79, 0x00, 0x82])));
        Assert.False(hosts[1].HardwareAddresses[0].Matches(HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x79, 0x00, 0x82])));
    }
}
