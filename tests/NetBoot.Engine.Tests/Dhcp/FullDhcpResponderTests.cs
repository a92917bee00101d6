using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.DecisionAssert;
using static NetBoot.Engine.Tests.Dhcp.Messages;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary>RFC 2131 §4.3, one message type and client state at a time, on a network NetBoot owns.</summary>
public class FullDhcpResponderTests
{
    private static readonly IPv4Address Server = LeaseHarness.Server;
    private static readonly IPv4Address Foreign = IPv4Address.Parse("10.9.9.9");

    private static LeaseHarness Harness(Func<ServerConfig, ServerConfig>? tweak = null) =>
        new((tweak ?? (c => c))(LeaseHarness.OwnedConfig()));

    [Fact]
    public void Discover_gets_an_offer_from_the_range_with_lease_time_T1_T2_and_a_brief_hold()
    {
        var harness = Harness();

        var outcome = harness.Send(Discover(Mac(1)));

        var offer = Reply(outcome.Decision);
        Assert.Equal(DhcpMessageType.Offer, offer.Message.MessageType);
        var address = offer.Message.YourAddress;
        Assert.InRange(address.Value, IPv4Address.Parse("192.168.67.20").Value, IPv4Address.Parse("192.168.67.250").Value);
        Assert.Equal(Server.ToBytes(), Option(offer, DhcpOptionCode.ServerIdentifier).ToArray());
        Assert.Equal(Seconds(43200), Option(offer, DhcpOptionCode.IPAddressLeaseTime).ToArray());
        Assert.Equal(Seconds(21600), Option(offer, DhcpOptionCode.RenewalTimeValue).ToArray());
        Assert.Equal(Seconds(37800), Option(offer, DhcpOptionCode.RebindingTimeValue).ToArray());
        Assert.Equal(IPv4Address.Parse("255.255.255.0").ToBytes(), Option(offer, DhcpOptionCode.SubnetMask).ToArray());
        Assert.Equal(Server.ToBytes(), Option(offer, DhcpOptionCode.Router).ToArray());
        var hold = Assert.IsType<LeaseUpsert>(outcome.Change).Lease;
        Assert.Equal(LeaseState.Offered, hold.State);
        Assert.Equal(harness.Now + FullDhcpResponder.OfferHold, hold.Expires);
        Assert.True(offer.Destination.RequiresArpEntry);
        Assert.Equal(address, offer.Destination.Address);
    }

    [Fact]
    public void Selecting_request_is_acked_and_the_lease_must_be_durable_first()
    {
        var harness = Harness();
        var offered = Reply(harness.Send(Discover(Mac(1))).Decision).Message.YourAddress;

        var outcome = harness.Send(Selecting(Mac(1), offered, Server));

        var ack = Reply(outcome.Decision);
        Assert.Equal(DhcpMessageType.Ack, ack.Message.MessageType);
        Assert.Equal(offered, ack.Message.YourAddress);
        var change = Assert.IsType<LeaseUpsert>(outcome.Change);
        Assert.True(change.MustBeDurableBeforeReply);
        Assert.Equal(LeaseEvent.Add, change.Event);
        Assert.Equal(LeaseState.Bound, change.Lease.State);
        Assert.Equal(harness.Now + TimeSpan.FromHours(12), change.Lease.Expires);
    }

    [Fact]
    public void Selecting_another_server_releases_the_hold_without_reply()
    {
        var harness = Harness();
        var offered = Reply(harness.Send(Discover(Mac(1))).Decision).Message.YourAddress;

        var outcome = harness.Send(Selecting(Mac(1), offered, IPv4Address.Parse("192.168.67.2")));

        var silent = Silent(outcome.Decision, NoReplyReason.ForAnotherServer);
        Assert.Equal(new LeaseSilence(LeaseSilenceReason.WrongServer, offered, IPv4Address.Parse("192.168.67.2")), silent.Lease);
        Assert.IsType<LeaseRemoval>(outcome.Change);
        Assert.Null(harness.Leases.ByAddress(offered));
    }

    [Fact]
    public void Offer_hold_keeps_the_address_from_other_clients_until_it_lapses()
    {
        var harness = Harness(c => c with { Ranges = [c.Ranges[0] with { Start = IPv4Address.Parse("192.168.67.20"), End = IPv4Address.Parse("192.168.67.20") }] });
        Reply(harness.Send(Discover(Mac(1))).Decision);

        Silent(harness.Send(Discover(Mac(2))).Decision, NoReplyReason.NoAddressAvailable);
        harness.Now += FullDhcpResponder.OfferHold + TimeSpan.FromSeconds(1);
        Assert.Equal(IPv4Address.Parse("192.168.67.20"), Reply(harness.Send(Discover(Mac(2))).Decision).Message.YourAddress);
    }

    [Fact]
    public void Init_reboot_with_its_own_lease_is_acked()
    {
        var harness = Harness();
        var address = harness.Dora(Mac(1));

        var ack = Reply(harness.Send(InitReboot(Mac(1), address)).Decision);

        Assert.Equal(DhcpMessageType.Ack, ack.Message.MessageType);
        Assert.Equal(address, ack.Message.YourAddress);
    }

    [Fact]
    public void Init_reboot_for_an_address_on_a_foreign_network_gets_a_nak_when_authoritative()
    {
        var harness = Harness(c => c with { Authoritative = true });

        var nak = Reply(harness.Send(InitReboot(Mac(1), Foreign)).Decision);

        Assert.Equal(DhcpMessageType.Nak, nak.Message.MessageType);
        Assert.True(nak.Message.YourAddress.IsZero);
        Assert.Equal("wrong network", Encoding.ASCII.GetString(Option(nak, DhcpOptionCode.Message).AsSpan()));
        Assert.True(nak.Destination.IsBroadcast);
    }

    [Fact]
    public void Init_reboot_for_a_foreign_network_is_ignored_when_not_authoritative()
    {
        var outcome = Harness().Send(InitReboot(Mac(1), Foreign));

        Silent(outcome.Decision, NoReplyReason.Ignored);
        Assert.Null(outcome.Change);
    }

    [Fact]
    public void Init_reboot_of_an_unknown_client_is_silent_unless_authoritative()
    {
        var address = IPv4Address.Parse("192.168.67.77");

        Silent(Harness().Send(InitReboot(Mac(1), address)).Decision, NoReplyReason.Ignored);
        var ack = Reply(Harness(c => c with { Authoritative = true }).Send(InitReboot(Mac(1), address)).Decision);
        Assert.Equal(address, ack.Message.YourAddress);
    }

    [Fact]
    public void Init_reboot_for_an_address_leased_to_another_client_gets_a_nak()
    {
        var harness = Harness(c => c with { Authoritative = true });
        var taken = harness.Dora(Mac(1));

        var nak = Reply(harness.Send(InitReboot(Mac(2), taken)).Decision);

        Assert.Equal(DhcpMessageType.Nak, nak.Message.MessageType);
        Assert.Equal(Mac(1), harness.Leases.ByAddress(taken)!.HardwareAddress);
    }

    [Fact]
    public void Renewing_extends_the_lease_and_answers_ciaddr_by_unicast()
    {
        var harness = Harness();
        var address = harness.Dora(Mac(1));
        harness.Now += TimeSpan.FromHours(6);

        var outcome = harness.Send(Renewing(Mac(1), address), source: address);

        var ack = Reply(outcome.Decision);
        Assert.Equal(address, ack.Message.ClientAddress);
        Assert.Equal(address, ack.Destination.Address);
        Assert.False(ack.Destination.IsBroadcast);
        Assert.False(ack.Destination.RequiresArpEntry);
        var change = Assert.IsType<LeaseUpsert>(outcome.Change);
        Assert.Equal(LeaseEvent.Old, change.Event);
        Assert.Equal(harness.Now + TimeSpan.FromHours(12), change.Lease.Expires);
    }

    [Fact]
    public void Rebinding_after_expiry_is_acked_again_if_the_address_is_still_free()
    {
        var harness = Harness();
        var address = harness.Dora(Mac(1));
        harness.Now += TimeSpan.FromHours(13);

        var ack = Reply(harness.Send(Renewing(Mac(1), address)).Decision);

        Assert.Equal(address, ack.Message.YourAddress);
    }

    [Fact]
    public void Decline_quarantines_the_address_and_the_client_gets_another()
    {
        var harness = Harness();
        var first = harness.Dora(Mac(1));

        var outcome = harness.Send(Decline(Mac(1), first, Server));

        Assert.Equal(new LeaseSilence(LeaseSilenceReason.Declined, first), Silent(outcome.Decision, NoReplyReason.Recorded).Lease);
        Assert.Equal(LeaseState.Declined, harness.Leases.ByAddress(first)!.State);
        var second = harness.Dora(Mac(1));
        Assert.NotEqual(first, second);
        harness.Now += FullDhcpResponder.DeclineQuarantine + TimeSpan.FromHours(13);
        Assert.NotNull(harness.Leases.ByAddress(first));
        Assert.False(harness.Leases.ByAddress(first)!.IsActiveAt(harness.Now));
    }

    [Fact]
    public void Release_frees_the_address_for_another_client()
    {
        var harness = Harness(c => c with { Ranges = [c.Ranges[0] with { End = c.Ranges[0].Start }] });
        var address = harness.Dora(Mac(1));
        Silent(harness.Send(Discover(Mac(2))).Decision, NoReplyReason.NoAddressAvailable);

        var outcome = harness.Send(Release(Mac(1), address, Server));

        Assert.Equal(new LeaseSilence(LeaseSilenceReason.Released, address), Silent(outcome.Decision, NoReplyReason.Recorded).Lease);
        Assert.Equal(LeaseEvent.Del, Assert.IsType<LeaseRemoval>(outcome.Change).Event);
        Assert.Equal(address, harness.Dora(Mac(2)));
    }

    [Fact]
    public void Inform_gets_configuration_without_address_or_lease_time()
    {
        var harness = Harness();

        var outcome = harness.Send(Inform(Mac(1), IPv4Address.Parse("192.168.67.5")), IPv4Address.Parse("192.168.67.5"));

        var ack = Reply(outcome.Decision);
        Assert.Equal(DhcpMessageType.Ack, ack.Message.MessageType);
        Assert.True(ack.Message.YourAddress.IsZero);
        Assert.False(ack.Message.Options.Contains(DhcpOptionCode.IPAddressLeaseTime));
        Assert.Equal(IPv4Address.Parse("192.168.67.5"), ack.Destination.Address);
        Assert.Null(outcome.Change);
    }

    [Fact]
    public void The_same_client_gets_the_same_address_back_after_release_and_expiry()
    {
        var harness = Harness();
        var first = harness.Dora(Mac(7));
        harness.Send(Release(Mac(7), first, Server));

        Assert.Equal(first, harness.Dora(Mac(7)));
        harness.Now += TimeSpan.FromDays(2);
        Assert.Equal(first, harness.Dora(Mac(7)));
    }

    [Fact]
    public void Address_follows_dnsmasqs_hash_of_the_mac_and_sequential_ip_starts_at_the_bottom()
    {
        var mac = Mac(9);
        var hashed = Harness().Dora(mac);
        var expected = IPv4Address.Parse("192.168.67.20").Value + (AddressAllocator.Hash(mac.Bytes.AsSpan()) % 231);
        Assert.Equal(expected, hashed.Value);

        var sequential = Harness(c => c with { SequentialIp = true });
        Assert.Equal(IPv4Address.Parse("192.168.67.20"), sequential.Dora(Mac(1)));
        Assert.Equal(IPv4Address.Parse("192.168.67.21"), sequential.Dora(Mac(2)));
    }

    [Fact]
    public void Client_identifier_is_the_identity_when_sent()
    {
        var harness = Harness();
        byte[] id = [1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];

        var first = harness.Dora(Mac(1), m => With(m, DhcpOptionCode.ClientIdentifier, id));
        var second = harness.Dora(Mac(2), m => With(m, DhcpOptionCode.ClientIdentifier, id));

        Assert.Equal(first, second);
        Assert.Single(harness.Leases.All);
    }

    [Fact]
    public void Static_host_gets_its_fixed_address_name_and_infinite_lease()
    {
        var host = LeaseHarness.Host("52:54:00:12:00:05", "192.168.67.5", "client5") with { IsInfinite = true, SetTags = ["fixed"] };
        var harness = Harness(c => c with { Hosts = [host] });

        var address = harness.Dora(Mac(5));

        Assert.Equal(IPv4Address.Parse("192.168.67.5"), address);
        var lease = harness.Leases.ByAddress(address)!;
        Assert.True(lease.IsInfinite);
        Assert.Equal("client5", lease.HostName);
        var ack = Reply(harness.Send(InitReboot(Mac(5), address)).Decision);
        Assert.Equal(Seconds(uint.MaxValue), Option(ack, DhcpOptionCode.IPAddressLeaseTime).ToArray());
        Assert.False(ack.Message.Options.Contains(DhcpOptionCode.RenewalTimeValue));
        Assert.Equal("client5", Encoding.ASCII.GetString(Option(ack, DhcpOptionCode.HostName).AsSpan()));
        Assert.Contains("fixed", ack.Tags);
        Assert.Contains("known", ack.Tags);
    }

    [Fact]
    public void A_newly_allocated_address_is_pinged_before_the_offer_unless_no_ping()
    {
        var harness = Harness();
        var outcome = harness.Send(Discover(Mac(1)));
        Assert.Equal(Reply(outcome.Decision).Message.YourAddress, outcome.ProbeFirst);

        var quiet = Harness(c => c with { NoPing = true });
        Assert.Null(quiet.Send(Discover(Mac(1))).ProbeFirst);
    }

    [Fact]
    public void The_clients_own_held_or_fixed_address_is_not_pinged()
    {
        var harness = Harness(c => c with { Hosts = [LeaseHarness.Host("52:54:00:12:00:05", "192.168.67.5")] });
        Assert.Null(harness.Send(Discover(Mac(5))).ProbeFirst);

        var first = harness.Send(Discover(Mac(1)));
        Assert.NotNull(first.ProbeFirst);
        // A retransmitted DISCOVER finds its hold: the same address, no second ping (dnsmasq caches its ping results).
        var again = harness.Send(Discover(Mac(1)));
        Assert.Equal(first.ProbeFirst, Reply(again.Decision).Message.YourAddress);
        Assert.Null(again.ProbeFirst);
    }

    [Fact]
    public void An_address_that_answers_ping_is_quarantined_and_the_client_is_offered_another()
    {
        var harness = Harness(c => c with { SequentialIp = true });
        var first = harness.Send(Discover(Mac(1)));
        var inUse = first.ProbeFirst!.Value;

        var recorded = FullDhcpResponder.AddressInUse(harness.Leases, inUse, Mac(1), harness.Now);
        harness.Leases.Apply(recorded.Change!);
        var retry = harness.Send(Discover(Mac(1)));

        var quarantine = Assert.IsType<LeaseUpsert>(recorded.Change).Lease;
        Assert.Equal(LeaseState.Declined, quarantine.State);
        Assert.Equal(harness.Now + FullDhcpResponder.InUseQuarantine, quarantine.Expires);
        var other = Reply(retry.Decision).Message.YourAddress;
        Assert.NotEqual(inUse, other);
        Assert.Equal(other, retry.ProbeFirst);
        // Nobody else gets it during the quarantine either.
        Assert.NotEqual(inUse, Reply(harness.Send(Discover(Mac(2))).Decision).Message.YourAddress);
    }

    [Fact]
    public void A_ping_answer_for_an_address_the_client_was_bound_to_meanwhile_keeps_the_lease()
    {
        // klibc ipconfig retries its DISCOVER after a second: the retry is offered the held address at once, the client
        // is bound to it and configures it, and then answers the first DISCOVER's probe itself.
        var harness = Harness(c => c with { SequentialIp = true });
        var probed = harness.Send(Discover(Mac(1))).ProbeFirst!.Value;
        Assert.Equal(probed, Reply(harness.Send(Discover(Mac(1))).Decision).Message.YourAddress);
        Assert.Equal(DhcpMessageType.Ack, Reply(harness.Send(Selecting(Mac(1), probed, Server)).Decision).Message.MessageType);

        var verdict = FullDhcpResponder.AddressInUse(harness.Leases, probed, Mac(1), harness.Now);

        Assert.Null(verdict.Change);
        Assert.Equal(LeaseState.Bound, harness.Leases.ByAddress(probed)!.State);
    }

    private static DhcpMessage Bootp(HardwareAddress client) =>
        DhcpMessage.CreateRequest(DhcpMessageType.Discover, client, 0x3000) is var m
            ? m with { Options = m.Options.Without(DhcpOptionCode.DhcpMessageType) }
            : m;

    [Fact]
    public void Bootp_client_with_a_host_address_gets_it_with_an_infinite_durable_lease_and_no_dhcp_options()
    {
        var harness = Harness(c => c with { Hosts = [LeaseHarness.Host("52:54:00:12:00:05", "192.168.67.5", "bootp5")] });

        var outcome = harness.Send(Bootp(Mac(5)));

        var reply = Reply(outcome.Decision);
        Assert.Equal(BootOperation.BootReply, reply.Message.Operation);
        Assert.Equal(IPv4Address.Parse("192.168.67.5"), reply.Message.YourAddress);
        Assert.Null(reply.Message.MessageType);
        Assert.False(reply.Message.Options.Contains(DhcpOptionCode.ServerIdentifier));
        Assert.False(reply.Message.Options.Contains(DhcpOptionCode.IPAddressLeaseTime));
        Assert.Equal(IPv4Address.Parse("255.255.255.0").ToBytes(), Option(reply, DhcpOptionCode.SubnetMask).ToArray());
        Assert.Equal(300, reply.MaximumLength);
        Assert.Contains("bootp", reply.Tags);
        var change = Assert.IsType<LeaseUpsert>(outcome.Change);
        Assert.True(change.MustBeDurableBeforeReply);
        Assert.Equal(LeaseState.Bound, change.Lease.State);
        Assert.True(change.Lease.IsInfinite);
        Assert.Null(outcome.ProbeFirst);
    }

    [Fact]
    public void Bootp_client_without_a_host_address_is_answered_only_with_bootp_dynamic()
    {
        Silent(Harness().Send(Bootp(Mac(1))).Decision, NoReplyReason.NoAddressAvailable);

        var harness = Harness(c => c with { BootpDynamic = [TagFilter.None] });
        var first = Reply(harness.Send(Bootp(Mac(1))).Decision).Message.YourAddress;
        var again = Reply(harness.Send(Bootp(Mac(1))).Decision).Message.YourAddress;

        Assert.InRange(first.Value, IPv4Address.Parse("192.168.67.20").Value, IPv4Address.Parse("192.168.67.250").Value);
        Assert.Equal(first, again);
        Assert.True(harness.Leases.ByAddress(first)!.IsInfinite);
    }

    [Fact]
    public void Bootp_dynamic_with_a_tag_serves_only_clients_with_that_tag()
    {
        var harness = Harness(c => c with
        {
            BootpDynamic = [new TagFilter([new TagCondition("lab", false)])],
            Hosts = [LeaseHarness.Host("52:54:00:12:00:07") with { SetTags = ["lab"] }],
        });

        Reply(harness.Send(Bootp(Mac(7))).Decision);
        Silent(harness.Send(Bootp(Mac(8))).Decision, NoReplyReason.NoAddressAvailable);
    }

    [Fact]
    public void Bootp_host_address_leased_to_another_client_is_not_given()
    {
        var harness = Harness(c => c with { SequentialIp = true });
        var taken = harness.Dora(Mac(1));
        harness.Config = harness.Config with { Hosts = [LeaseHarness.Host("52:54:00:12:00:05", taken.ToString())] };

        Silent(harness.Send(Bootp(Mac(5))).Decision, NoReplyReason.NoAddressAvailable);
    }

    [Fact]
    public void Host_with_an_address_on_another_network_is_known_othernet_and_its_settings_are_not_used()
    {
        // dnsmasq dhcp_reply: find_config with the context fails, without it succeeds: tag known-othernet, no config.
        var host = LeaseHarness.Host("52:54:00:12:00:05", "10.1.2.3", "elsewhere") with { SetTags = ["fixed"] };
        var harness = Harness(c => c with { Hosts = [host] });

        var offer = Reply(harness.Send(Discover(Mac(5))).Decision);

        Assert.Contains("known-othernet", offer.Tags);
        Assert.DoesNotContain("known", offer.Tags);
        Assert.DoesNotContain("fixed", offer.Tags);
        Assert.InRange(offer.Message.YourAddress.Value, IPv4Address.Parse("192.168.67.20").Value, IPv4Address.Parse("192.168.67.250").Value);
        Assert.False(offer.Message.Options.Contains(DhcpOptionCode.HostName));
    }

    [Fact]
    public void Host_in_context_is_preferred_over_an_earlier_one_for_another_network()
    {
        var other = LeaseHarness.Host("52:54:00:12:00:05", "10.1.2.3");
        var here = LeaseHarness.Host("52:54:00:12:00:05", "192.168.67.9");
        var harness = Harness(c => c with { Hosts = [other, here] });

        var offer = Reply(harness.Send(Discover(Mac(5))).Decision);

        Assert.Equal(IPv4Address.Parse("192.168.67.9"), offer.Message.YourAddress);
        Assert.Contains("known", offer.Tags);
        Assert.DoesNotContain("known-othernet", offer.Tags);
    }

    [Fact]
    public void Dhcp_ignore_of_known_othernet_drops_the_client()
    {
        var host = LeaseHarness.Host("52:54:00:12:00:05", "10.1.2.3");
        var ignore = new DhcpIgnoreConfig
        {
            Filter = new TagFilter([new TagCondition("known-othernet", false)]),
            Source = new SourceLocation("/etc/netboot.conf", 6),
        };
        var harness = Harness(c => c with { Hosts = [host], Ignores = [ignore] });

        Silent(harness.Send(Discover(Mac(5))).Decision, NoReplyReason.Ignored);
        Reply(harness.Send(Discover(Mac(6))).Decision);
    }

    [Fact]
    public void Static_host_address_is_never_given_to_another_client()
    {
        var host = LeaseHarness.Host("52:54:00:12:00:05", "192.168.67.20");
        var harness = Harness(c => c with { SequentialIp = true, Hosts = [host] });

        Assert.Equal(IPv4Address.Parse("192.168.67.21"), harness.Dora(Mac(1)));
        Assert.Equal(IPv4Address.Parse("192.168.67.20"), harness.Dora(Mac(5)));
    }

    [Fact]
    public void Wildcard_host_with_ignore_is_not_answered()
    {
        var harness = Harness(c => c with { Hosts = [LeaseHarness.Host("52:54:00:12:*:*") with { IsIgnored = true }] });

        Silent(harness.Send(Discover(Mac(3))).Decision, NoReplyReason.Ignored);
        Reply(harness.Send(Discover(HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x99, 0, 1]))).Decision);
    }

    [Fact]
    public void Static_range_gives_only_host_addresses()
    {
        var harness = Harness(c => c with
        {
            Ranges = [c.Ranges[0] with { End = c.Ranges[0].Start, Mode = DhcpRangeMode.Static }],
            Hosts = [LeaseHarness.Host("52:54:00:12:00:05", "192.168.67.5")],
        });

        Silent(harness.Send(Discover(Mac(1))).Decision, NoReplyReason.NoAddressAvailable);
        Assert.Equal(IPv4Address.Parse("192.168.67.5"), harness.Dora(Mac(5)));
    }

    [Fact]
    public void Lease_max_stops_new_leases_but_not_renewals()
    {
        var harness = Harness(c => c with { LeaseMax = 1 });
        var address = harness.Dora(Mac(1));

        Silent(harness.Send(Discover(Mac(2))).Decision, NoReplyReason.LeaseLimitReached);
        Reply(harness.Send(Renewing(Mac(1), address)).Decision);
    }

    [Fact]
    public void Relayed_discover_is_served_from_the_relays_subnet_and_answered_to_giaddr_67()
    {
        var config = LeaseHarness.OwnedConfig("10.20.0.50", "10.20.0.60") with
        {
            Ranges = [LeaseHarness.OwnedConfig("10.20.0.50", "10.20.0.60").Ranges[0] with { Netmask = IPv4Address.Parse("255.255.255.0") }],
        };
        var harness = new LeaseHarness(config);
        var relay = IPv4Address.Parse("10.20.0.1");

        var offer = Reply(harness.Send(Discover(Mac(1)) with { RelayAgentAddress = relay }).Decision);

        Assert.InRange(offer.Message.YourAddress.Value, IPv4Address.Parse("10.20.0.50").Value, IPv4Address.Parse("10.20.0.60").Value);
        Assert.Equal(relay, offer.Message.RelayAgentAddress);
        Assert.Equal(new ReplyDestination(relay, 67, false, 3), offer.Destination);
        Assert.False(offer.Message.Options.Contains(DhcpOptionCode.Router));
    }

    [Fact]
    public void Configured_options_are_sent_when_asked_for_and_forced_ones_always()
    {
        var harness = Harness(c => c with
        {
            Options =
            [
                new DhcpOptionConfig { Code = 42, Value = [10, 0, 0, 1], Source = new SourceLocation("/etc/netboot.conf", 3) },
                new DhcpOptionConfig { Code = 17, Value = TestConfigs.Ascii("/opt/ltsp"), Directive = DhcpOptionDirective.Force, Source = new SourceLocation("/etc/netboot.conf", 4) },
                new DhcpOptionConfig { Code = 6, Value = [0, 0, 0, 0], HasServerAddressPlaceholder = true, Source = new SourceLocation("/etc/netboot.conf", 5) },
            ],
        });

        var offer = Reply(harness.Send(Discover(Mac(1))).Decision);

        Assert.False(offer.Message.Options.Contains(DhcpOptionCode.NtpServers));
        Assert.Equal("/opt/ltsp", Encoding.ASCII.GetString(Option(offer, DhcpOptionCode.RootPath).AsSpan()));
        Assert.Equal(Server.ToBytes(), Option(offer, DhcpOptionCode.DomainNameServer).ToArray());
        var asked = Reply(harness.Send(WithRequestList(Discover(Mac(1)), 1, 42)).Decision);
        Assert.Equal([10, 0, 0, 1], Option(asked, DhcpOptionCode.NtpServers).ToArray());
        Assert.Equal(1460, Reply(harness.Send(With(Discover(Mac(1)), DhcpOptionCode.MaximumDhcpMessageSize, [0x05, 0xb4])).Decision).MaximumLength);
    }

    [Fact]
    public void Boot_file_goes_to_option_67_when_asked_else_to_the_file_field_and_never_with_no_override()
    {
        var boot = new DhcpBootConfig { FileName = "pxelinux.0", ServerName = "boothost", Source = new SourceLocation("/etc/netboot.conf", 6) };
        var harness = Harness(c => c with { BootFiles = [boot] });

        var plain = Reply(harness.Send(Discover(Mac(1))).Decision);
        Assert.Equal("pxelinux.0", plain.Message.BootFileName);
        Assert.Equal("boothost", plain.Message.ServerName);
        Assert.Equal(Server, plain.Message.ServerAddress);
        Assert.True(plain.AllowOverload);

        var asked = Reply(harness.Send(WithRequestList(Discover(Mac(1)), 1, 3, 66, 67)).Decision);
        Assert.Equal("pxelinux.0\0", Encoding.ASCII.GetString(Option(asked, DhcpOptionCode.BootFileName).AsSpan()));
        Assert.Equal("", asked.Message.BootFileName);

        harness.Config = harness.Config with { NoOverride = true };
        var noOverride = Reply(harness.Send(WithRequestList(Discover(Mac(1)), 1, 3, 66, 67)).Decision);
        Assert.Equal("pxelinux.0", noOverride.Message.BootFileName);
        Assert.False(noOverride.Message.Options.Contains(DhcpOptionCode.BootFileName));
        Assert.False(noOverride.AllowOverload);
    }

    [Fact]
    public void Bios_pxe_client_on_an_owned_range_gets_address_menu_and_boot_file_in_one_exchange()
    {
        var ltsp = TestConfigs.Ltsp();
        var harness = Harness(c => ltsp with { Ranges = c.Ranges, NoOverride = false });
        var discover = TestRequests.Discover(0) with { ClientHardwareAddressField = DhcpMessage.PadChaddr(Mac(1)) };

        var offer = Reply(harness.Send(discover).Decision);

        Assert.False(offer.Message.YourAddress.IsZero);
        Assert.Equal("/ltsp/i386/pxelinux.0", offer.Message.BootFileName);
        Assert.Equal("PXEClient", Encoding.ASCII.GetString(Option(offer, DhcpOptionCode.VendorClassIdentifier).AsSpan()));
        Assert.StartsWith("060103", Hex(Option(offer, DhcpOptionCode.VendorSpecificInformation)), StringComparison.Ordinal);
        Assert.Equal(TestRequests.MachineId, Option(offer, DhcpOptionCode.ClientMachineIdentifier).ToArray());
    }

    [Fact]
    public void Uefi_pxe_client_on_an_owned_range_is_sent_to_4011_and_4011_answers_it()
    {
        var ltsp = TestConfigs.Ltsp() with { PxeServices = [TestConfigs.Service(7, "UEFI", 0x8000, "bootx64.efi")] };
        var harness = Harness(c => ltsp with { Ranges = c.Ranges });
        var discover = TestRequests.Discover(7) with { ClientHardwareAddressField = DhcpMessage.PadChaddr(Mac(1)) };

        var offer = Reply(harness.Send(discover).Decision);

        Assert.Equal(Server, offer.Message.ServerAddress);
        Assert.False(offer.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation));
        var proxyRequest = TestRequests.ProxyRequest(7, "192.168.67.90");
        var onPxePort = DhcpEngine.Decide(new DhcpRequest(proxyRequest, harness.Interface, proxyRequest.ClientAddress, 68, 4011), harness.Config, harness.Leases, harness.Now);
        Assert.Equal("bootx64.efi", Reply(onPxePort.Decision).Message.BootFileName);
        Assert.Null(onPxePort.Change);
    }

    [Fact]
    public void Proxy_and_owned_ranges_on_two_interfaces_answer_each_side_by_its_own_rules()
    {
        var config = TestConfigs.Ltsp() with
        {
            Ranges = [TestConfigs.ProxyRange("192.168.1.0", 12), .. LeaseHarness.OwnedConfig().Ranges],
        };
        var harness = new LeaseHarness(config);

        var owned = Reply(harness.Send(TestRequests.Discover(0)).Decision);
        harness.Interface = TestRequests.Eth0();
        var proxy = Reply(harness.Send(TestRequests.Discover(0)).Decision);

        Assert.False(owned.Message.YourAddress.IsZero);
        Assert.True(proxy.Message.YourAddress.IsZero);
        Assert.Equal(ReplyKind.Proxy, proxy.Answer.Kind);
    }

    [Fact]
    public void Request_state_is_read_from_server_identifier_requested_address_and_ciaddr()
    {
        var address = IPv4Address.Parse("192.168.67.30");
        Assert.Equal(RequestState.Selecting, LeaseRequest.StateOf(Selecting(Mac(1), address, Server)));
        Assert.Equal(RequestState.InitReboot, LeaseRequest.StateOf(InitReboot(Mac(1), address)));
        Assert.Equal(RequestState.RenewingOrRebinding, LeaseRequest.StateOf(Renewing(Mac(1), address)));
    }

    [Fact]
    public void Requested_shorter_lease_is_granted_but_not_below_two_minutes()
    {
        var harness = Harness();

        var offer = Reply(harness.Send(With(Discover(Mac(1)), DhcpOptionCode.IPAddressLeaseTime, [0, 0, 0, 30])).Decision);

        Assert.Equal(Seconds(120), Option(offer, DhcpOptionCode.IPAddressLeaseTime).ToArray());
    }

    [Theory]
    [InlineData("pc-1.example.org", "pc-1")]
    [InlineData("thin_01", "thin_01")]
    [InlineData("pc 1,x.example.org", null)]
    [InlineData("-rf", null)]
    [InlineData("pc\n01", null)]
    public void Client_host_name_is_recorded_only_when_dnsmasq_would_keep_it(string sent, string? recorded)
    {
        var harness = Harness();

        var address = harness.Dora(Mac(1), m => With(m, DhcpOptionCode.HostName, Encoding.ASCII.GetBytes(sent)));

        Assert.Equal(recorded, harness.Leases.ByAddress(address)!.HostName);
    }

    [Fact]
    public void Nothing_is_leased_outside_the_range_and_the_server_address_is_skipped()
    {
        var harness = Harness(c => c with { SequentialIp = true, Ranges = [c.Ranges[0] with { Start = IPv4Address.Parse("192.168.67.0"), End = IPv4Address.Parse("192.168.67.3") }] });

        var addresses = Enumerable.Range(1, 2).Select(i => harness.Dora(Mac(i))).ToImmutableArray();

        Assert.Equal([IPv4Address.Parse("192.168.67.2"), IPv4Address.Parse("192.168.67.3")], addresses.ToArray());
        Silent(harness.Send(Discover(Mac(3))).Decision, NoReplyReason.NoAddressAvailable);
    }

    [Fact]
    public void Host_named_by_client_id_gets_its_address_whatever_its_mac()
    {
        byte[] id = [0xff, 0, 0, 0, 1];
        var host = new DhcpHostConfig { ClientIds = [[.. id]], Address = IPv4Address.Parse("192.168.67.9"), Source = new SourceLocation("/etc/netboot.conf", 7) };
        var harness = Harness(c => c with { Hosts = [host] });

        Assert.Equal(IPv4Address.Parse("192.168.67.9"), harness.Dora(Mac(40), m => With(m, DhcpOptionCode.ClientIdentifier, id)));
        Assert.NotEqual(IPv4Address.Parse("192.168.67.9"), harness.Dora(Mac(41)));
    }

    [Fact]
    public void Selecting_a_static_host_for_another_address_gets_a_nak()
    {
        var harness = Harness(c => c with { Hosts = [LeaseHarness.Host("52:54:00:12:00:05", "192.168.67.5")] });

        var nak = Reply(harness.Send(Selecting(Mac(5), IPv4Address.Parse("192.168.67.77"), Server)).Decision);

        Assert.Equal(DhcpMessageType.Nak, nak.Message.MessageType);
    }
}
