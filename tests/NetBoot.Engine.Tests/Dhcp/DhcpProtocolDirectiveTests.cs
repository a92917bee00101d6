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

/// <summary>Issue 18: dnsmasq's DHCP protocol directives, one rule each (rfc2131.c <c>dhcp_reply</c>, <c>do_options</c>).</summary>
public class DhcpProtocolDirectiveTests
{
    private static readonly IPv4Address Server = LeaseHarness.Server;
    private static readonly IPv4Address Relay = IPv4Address.Parse("10.20.0.1");

    private static LeaseHarness Harness(Func<DhcpProtocolConfig, DhcpProtocolConfig> protocol, Func<ServerConfig, ServerConfig>? tweak = null)
    {
        var config = LeaseHarness.OwnedConfig() with { NoPing = true };
        config = (tweak ?? (c => c))(config);
        return new LeaseHarness(config with { Protocol = protocol(config.Protocol) });
    }

    private static TagFilter Tag(string name) => new([new TagCondition(name, false)]);

    private static DhcpClassMatchConfig ClassMatch(string tag, params byte[] pattern) =>
        new() { SetTag = tag, Pattern = [.. pattern], Source = TestConfigs.Line(1) };

    /// <summary>Option 82 made of the given sub-options (code, data).</summary>
    private static DhcpMessage WithAgent(DhcpMessage message, params (byte Code, byte[] Data)[] subOptions) =>
        With(message, DhcpOptionCode.RelayAgentInformation, [.. subOptions.SelectMany(s => new byte[] { s.Code, (byte)s.Data.Length }.Concat(s.Data))]);

    private static ImmutableArray<string> Tags(ServerConfig config, DhcpMessage message) =>
        ClientClassifier.Classify(message, new ArrivalInterface("eth1", 3, Server, IPv4Address.Parse("255.255.255.0")), config).Tags.Names;

    [Fact]
    public void Circuit_id_sets_its_tag_on_an_exact_match_only()
    {
        var config = new ServerConfig { CircuitIdMatches = [ClassMatch("port1", 0, 1, 2)] };

        Assert.Contains("port1", Tags(config, WithAgent(Discover(Mac(1)), (1, [0, 1, 2]))));
        Assert.DoesNotContain("port1", Tags(config, WithAgent(Discover(Mac(1)), (1, [0, 1, 2, 3]))));
        Assert.DoesNotContain("port1", Tags(config, WithAgent(Discover(Mac(1)), (2, [0, 1, 2]))));
    }

    [Fact]
    public void Remote_id_and_subscriber_id_read_sub_options_2_and_6()
    {
        var config = new ServerConfig { RemoteIdMatches = [ClassMatch("sw7", "switch-7"u8.ToArray())], SubscriberIdMatches = [ClassMatch("sub", 0xab)] };

        var tags = Tags(config, WithAgent(Discover(Mac(1)), (1, [9]), (2, "switch-7"u8.ToArray()), (6, [0xab])));

        Assert.Contains("sw7", tags);
        Assert.Contains("sub", tags);
    }

    [Fact]
    public void Relay_agent_information_is_echoed_as_the_last_option_of_the_reply()
    {
        var harness = Harness(p => p, RelayedNetwork);

        var offer = Reply(harness.Send(WithAgent(Discover(Mac(1)) with { RelayAgentAddress = Relay }, (1, [7]))).Decision);

        Assert.Equal(DhcpOptionCode.RelayAgentInformation, offer.Message.Options.Last().Code);
        Assert.Equal(new byte[] { 1, 1, 7 }, Option(offer, DhcpOptionCode.RelayAgentInformation).ToArray());
    }

    [Fact]
    public void Name_match_sets_a_tag_for_the_exact_name_or_a_prefix_with_star_ignoring_case()
    {
        var config = new ServerConfig
        {
            Protocol = new DhcpProtocolConfig { NameMatches = [new("wpad", "wpad", false, TestConfigs.Line(1)), new("lab", "lab-", true, TestConfigs.Line(2))] },
        };

        Assert.Contains("wpad", Tags(config, With(Discover(Mac(1)), DhcpOptionCode.HostName, "WPAD"u8.ToArray())));
        Assert.DoesNotContain("wpad", Tags(config, With(Discover(Mac(1)), DhcpOptionCode.HostName, "wpad2"u8.ToArray())));
        Assert.Contains("lab", Tags(config, With(Discover(Mac(1)), DhcpOptionCode.HostName, "lab-07"u8.ToArray())));
    }

    [Fact]
    public void Ignore_clid_keys_the_lease_by_hardware_address_whatever_option_61_says()
    {
        var harness = Harness(p => p with { IgnoreClientId = true });
        var first = harness.Dora(Mac(1), m => With(m, DhcpOptionCode.ClientIdentifier, [1, 2, 3]));

        var offer = Reply(harness.Send(With(Discover(Mac(1)), DhcpOptionCode.ClientIdentifier, [9, 9, 9])).Decision);

        Assert.Equal(first, offer.Message.YourAddress);
        var lease = Assert.Single(harness.Leases.All);
        Assert.True(lease.ClientId.IsDefaultOrEmpty);
    }

    [Fact]
    public void Broadcast_flag_is_set_for_tagged_clients_so_the_reply_is_broadcast()
    {
        var harness = Harness(p => p with { Broadcast = [Tag("old")] }, c => c with { MacMatches = [new DhcpMacMatchConfig { SetTag = "old", Pattern = [.. Mac(1).Bytes.Select(b => (byte?)b)], Source = TestConfigs.Line(1) }] });

        var tagged = Reply(harness.Send(Discover(Mac(1))).Decision);
        var other = Reply(harness.Send(Discover(Mac(2))).Decision);

        Assert.True(tagged.Message.IsBroadcast);
        Assert.True(tagged.Destination.IsBroadcast);
        Assert.False(other.Message.IsBroadcast);
        Assert.False(other.Destination.IsBroadcast);
    }

    [Fact]
    public void Ignore_names_drops_the_clients_own_name_from_the_lease()
    {
        var harness = Harness(p => p with { IgnoreNames = [TagFilter.None] });

        harness.Dora(Mac(1), m => With(m, DhcpOptionCode.HostName, "laptop"u8.ToArray()));

        Assert.Null(Assert.Single(harness.Leases.All).HostName);
    }

    [Fact]
    public void Generate_names_names_a_nameless_client_from_its_mac_in_lower_case_hex()
    {
        var harness = Harness(p => p with { GenerateNames = [TagFilter.None] });

        harness.Dora(Mac(0xab));

        Assert.Equal("52-54-00-12-00-ab", Assert.Single(harness.Leases.All).HostName);
    }

    [Fact]
    public void Rapid_commit_acks_a_discover_with_option_80_and_binds_the_lease_durably()
    {
        var harness = Harness(p => p with { RapidCommit = true });

        var outcome = harness.Send(With(Discover(Mac(1)), DhcpOptionCode.RapidCommit, []));

        var ack = Reply(outcome.Decision);
        Assert.Equal(DhcpMessageType.Ack, ack.Message.MessageType);
        Assert.True(ack.Message.Options.Contains(DhcpOptionCode.RapidCommit));
        var change = Assert.IsType<LeaseUpsert>(outcome.Change);
        Assert.Equal(LeaseState.Bound, change.Lease.State);
        Assert.True(change.MustBeDurableBeforeReply);
    }

    [Fact]
    public void Rapid_commit_is_off_unless_configured()
    {
        var harness = Harness(p => p);

        var offer = Reply(harness.Send(With(Discover(Mac(1)), DhcpOptionCode.RapidCommit, [])).Decision);

        Assert.Equal(DhcpMessageType.Offer, offer.Message.MessageType);
        Assert.False(offer.Message.Options.Contains(DhcpOptionCode.RapidCommit));
    }

    [Fact]
    public void Rapid_commit_falls_back_to_an_offer_when_a_new_address_must_be_pinged_first()
    {
        var harness = Harness(p => p with { RapidCommit = true }, c => c with { NoPing = false });

        var outcome = harness.Send(With(Discover(Mac(1)), DhcpOptionCode.RapidCommit, []));

        Assert.Equal(DhcpMessageType.Offer, Reply(outcome.Decision).Message.MessageType);
        Assert.NotNull(outcome.ProbeFirst);
    }

    [Fact]
    public void Fqdn_reply_sets_S_and_O_and_clears_N_by_default()
    {
        var harness = Harness(p => p);
        // Flags 0 (client updates A), RCODEs, ASCII name.
        var offer = Reply(harness.Send(With(Discover(Mac(1)), DhcpOptionCode.ClientFqdn, [0, 0, 0, .. "pc1"u8])).Decision);

        byte[] expected = [0x03, 255, 255, .. "pc1"u8];
        Assert.Equal(expected, Option(offer, DhcpOptionCode.ClientFqdn).ToArray());
    }

    [Fact]
    public void Fqdn_reply_with_client_update_moves_S_to_O_and_sets_N_in_wire_encoding()
    {
        var harness = Harness(p => p with { ClientUpdate = true });
        // Flags S|E, name as labels "pc1" "lab" root.
        var offer = Reply(harness.Send(With(Discover(Mac(1)), DhcpOptionCode.ClientFqdn, [0x05, 0, 0, 3, .. "pc1"u8, 3, .. "lab"u8, 0])).Decision);

        byte[] expected = [0x0e, 255, 255, 3, .. "pc1"u8];
        Assert.Equal(expected, Option(offer, DhcpOptionCode.ClientFqdn).ToArray());
    }

    [Fact]
    public void No_fqdn_reply_to_a_client_that_sent_no_option_81()
    {
        var harness = Harness(p => p with { ClientUpdate = true });

        var offer = Reply(harness.Send(With(Discover(Mac(1)), DhcpOptionCode.HostName, "pc1"u8.ToArray())).Decision);

        Assert.False(offer.Message.Options.Contains(DhcpOptionCode.ClientFqdn));
    }

    private static ServerConfig RelayedNetwork(ServerConfig c) => c with
    {
        Ranges = [c.Ranges[0] with { Start = IPv4Address.Parse("10.20.0.50"), End = IPv4Address.Parse("10.20.0.60"), Netmask = IPv4Address.Parse("255.255.255.0") }],
    };

    [Fact]
    public void Dhcp_proxy_names_the_relay_as_server_identifier_and_accepts_requests_for_it()
    {
        var harness = Harness(p => p with { OverrideServerIdentifier = true }, RelayedNetwork);

        var offer = Reply(harness.Send(Discover(Mac(1)) with { RelayAgentAddress = Relay }).Decision);
        var ack = Reply(harness.Send(Selecting(Mac(1), offer.Message.YourAddress, Relay) with { RelayAgentAddress = Relay }).Decision);

        Assert.Equal(Relay.ToBytes(), Option(offer, DhcpOptionCode.ServerIdentifier).ToArray());
        Assert.Equal(DhcpMessageType.Ack, ack.Message.MessageType);
        Assert.Equal(Relay.ToBytes(), Option(ack, DhcpOptionCode.ServerIdentifier).ToArray());
    }

    [Fact]
    public void Dhcp_proxy_with_a_list_leaves_other_relays_alone()
    {
        var harness = Harness(p => p with { OverrideServerIdentifier = true, OverrideRelays = [IPv4Address.Parse("10.20.0.2")] }, RelayedNetwork);

        var offer = Reply(harness.Send(Discover(Mac(1)) with { RelayAgentAddress = Relay }).Decision);

        Assert.Equal(Server.ToBytes(), Option(offer, DhcpOptionCode.ServerIdentifier).ToArray());
    }

    [Fact]
    public void Server_identifier_override_sub_option_11_is_honoured_without_dhcp_proxy()
    {
        var harness = Harness(p => p, RelayedNetwork);
        var asked = IPv4Address.Parse("10.20.0.254");

        var offer = Reply(harness.Send(WithAgent(Discover(Mac(1)) with { RelayAgentAddress = Relay }, (11, asked.ToBytes()))).Decision);

        Assert.Equal(asked.ToBytes(), Option(offer, DhcpOptionCode.ServerIdentifier).ToArray());
    }

    [Fact]
    public void Reply_delay_of_the_last_matching_tagged_line_else_the_last_untagged_one()
    {
        var config = new ServerConfig
        {
            ReplyDelays = [(TagFilter.None, TimeSpan.FromSeconds(5)), (TagFilter.None, TimeSpan.FromSeconds(1)), (Tag("slow"), TimeSpan.FromSeconds(4)), (Tag("slow"), TimeSpan.FromSeconds(3))],
        };

        Assert.Equal(TimeSpan.FromSeconds(3), ReplyDelay.For(config, TagSet.Empty.Add("slow")));
        Assert.Equal(TimeSpan.FromSeconds(1), ReplyDelay.For(config, TagSet.Empty.Add("eth1")));
        Assert.Equal(TimeSpan.Zero, ReplyDelay.For(new ServerConfig(), TagSet.Empty));
    }

    [Fact]
    public void Reply_delay_applies_to_the_offer_not_to_the_ack()
    {
        var harness = Harness(p => p, c => c with { ReplyDelays = [(TagFilter.None, TimeSpan.FromSeconds(2))] });

        var offer = Reply(harness.Send(Discover(Mac(1))).Decision);
        var ack = Reply(harness.Send(Selecting(Mac(1), offer.Message.YourAddress, Server)).Decision);

        Assert.Equal(TimeSpan.FromSeconds(2), offer.Delay);
        Assert.Equal(TimeSpan.Zero, ack.Delay);
    }

    [Fact]
    public void Shared_network_on_a_relay_serves_the_shared_subnets_range()
    {
        var harness = Harness(p => p with { SharedNetworks = [new SharedNetworkConfig(null, Relay, IPv4Address.Parse("10.30.0.1"), TestConfigs.Line(1))] },
            c => c with { Ranges = [c.Ranges[0] with { Start = IPv4Address.Parse("10.30.0.50"), End = IPv4Address.Parse("10.30.0.60"), Netmask = IPv4Address.Parse("255.255.255.0") }] });

        var offer = Reply(harness.Send(Discover(Mac(1)) with { RelayAgentAddress = Relay }).Decision);

        Assert.InRange(offer.Message.YourAddress.Value, IPv4Address.Parse("10.30.0.50").Value, IPv4Address.Parse("10.30.0.60").Value);
    }

    [Fact]
    public void Shared_network_on_an_interface_adds_the_second_subnet_when_the_first_is_full()
    {
        var harness = Harness(p => p with { SharedNetworks = [new SharedNetworkConfig("eth1", null, IPv4Address.Parse("10.40.0.1"), TestConfigs.Line(1))] },
            c => c with
            {
                Ranges =
                [
                    c.Ranges[0] with { Start = IPv4Address.Parse("192.168.67.20"), End = IPv4Address.Parse("192.168.67.20") },
                    c.Ranges[0] with { Start = IPv4Address.Parse("10.40.0.50"), End = IPv4Address.Parse("10.40.0.50"), Netmask = IPv4Address.Parse("255.255.255.0") },
                ],
            });

        harness.Dora(Mac(1));
        var second = Reply(harness.Send(Discover(Mac(2))).Decision);

        Assert.Equal(IPv4Address.Parse("10.40.0.50"), second.Message.YourAddress);
    }

    [Fact]
    public void Without_shared_network_the_interface_serves_only_its_own_subnet()
    {
        var harness = Harness(p => p, c => c with
        {
            Ranges =
            [
                c.Ranges[0] with { Start = IPv4Address.Parse("192.168.67.20"), End = IPv4Address.Parse("192.168.67.20") },
                c.Ranges[0] with { Start = IPv4Address.Parse("10.40.0.50"), End = IPv4Address.Parse("10.40.0.50"), Netmask = IPv4Address.Parse("255.255.255.0") },
            ],
        });

        harness.Dora(Mac(1));

        Silent(harness.Send(Discover(Mac(2))).Decision, NoReplyReason.NoAddressAvailable);
    }
}
