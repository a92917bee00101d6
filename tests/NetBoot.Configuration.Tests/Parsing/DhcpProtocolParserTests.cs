using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Tests.Parsing;

/// <summary>Issue 18's directives parse into <see cref="DhcpProtocolConfig"/> with dnsmasq's grammar, without notices.</summary>
public class DhcpProtocolParserTests
{
    [Fact]
    public void Tag_lists_without_a_value_apply_to_every_client()
    {
        var protocol = ConfigAssert.Valid("dhcp-broadcast\ndhcp-broadcast=tag:old,needs\ndhcp-ignore-names=tag:guest\ndhcp-generate-names").Protocol;
        Assert.True(protocol.Broadcast[0].IsEmpty);
        Assert.Equal("tag:old,tag:needs", protocol.Broadcast[1].ToString());
        Assert.Equal("tag:guest", Assert.Single(protocol.IgnoreNames).ToString());
        Assert.True(Assert.Single(protocol.GenerateNames).IsEmpty);
    }

    [Fact]
    public void Name_match_keeps_a_trailing_star_as_prefix()
    {
        var matches = ConfigAssert.Valid("dhcp-name-match=set:wpad,wpad\ndhcp-name-match=set:lab,lab-*").Protocol.NameMatches;
        Assert.Equal(("wpad", "wpad", false), (matches[0].SetTag, matches[0].Name, matches[0].IsPrefix));
        Assert.Equal(("lab", "lab-", true), (matches[1].SetTag, matches[1].Name, matches[1].IsPrefix));
    }

    [Fact]
    public void Name_match_without_a_name_is_bad() => ConfigAssert.Error("dhcp-name-match=set:x", "bad dhcp-name-match");

    [Fact]
    public void Switches_set_their_flags()
    {
        var protocol = ConfigAssert.Valid("dhcp-ignore-clid\ndhcp-rapid-commit\ndhcp-client-update").Protocol;
        Assert.True(protocol.IgnoreClientId && protocol.RapidCommit && protocol.ClientUpdate);
    }

    [Fact]
    public void Dhcp_proxy_with_and_without_relays()
    {
        Assert.True(ConfigAssert.Valid("dhcp-proxy").Protocol is { OverrideServerIdentifier: true, OverrideRelays.IsEmpty: true });
        var listed = ConfigAssert.Valid("dhcp-proxy=10.0.0.1,10.0.1.1").Protocol;
        Assert.Equal([IPv4Address.Parse("10.0.0.1"), IPv4Address.Parse("10.0.1.1")], listed.OverrideRelays.ToArray());
        ConfigAssert.Error("dhcp-proxy=relay1", "bad dhcp-proxy address");
    }

    [Fact]
    public void Shared_network_takes_an_interface_or_a_relay_address()
    {
        var shared = ConfigAssert.Valid("shared-network=eth0,10.1.0.1\nshared-network=192.0.2.1,10.2.0.1").Protocol.SharedNetworks;
        Assert.Equal(("eth0", (IPv4Address?)null, IPv4Address.Parse("10.1.0.1")), (shared[0].InterfaceName, shared[0].RelayAddress, shared[0].SharedAddress));
        Assert.Equal((null, (IPv4Address?)IPv4Address.Parse("192.0.2.1")), (shared[1].InterfaceName, shared[1].RelayAddress));
        ConfigAssert.Error("shared-network=eth0", "bad shared-network");
    }

    [Fact]
    public void Bridge_interface_takes_an_interface_and_aliases_with_trailing_wildcards()
    {
        var bridges = ConfigAssert.Valid("bridge-interface=br0,tap0\nbridge-interface=br1,tap*,vnet3").Protocol.Bridges;
        Assert.Equal(["br0", "br1"], bridges.Select(b => b.InterfaceName));
        Assert.Equal(new[] { "tap0" }, bridges[0].Aliases.ToArray());
        Assert.Equal(new[] { "tap*", "vnet3" }, bridges[1].Aliases.ToArray());
        Assert.Equal(2, bridges[1].Source.Line);
        Assert.True(bridges[1].HasAlias("tap17"));
        Assert.True(bridges[1].HasAlias("vnet3"));
        Assert.False(bridges[1].HasAlias("vnet31"));
        Assert.False(bridges[0].HasAlias("tap01"));
    }

    [Theory]
    [InlineData("bridge-interface=br0", "bad bridge-interface")]
    [InlineData("bridge-interface=br*,tap0", "bad bridge-interface")]
    [InlineData("bridge-interface=br0,ta*p", "bad interface name 'ta*p' in bridge-interface")]
    [InlineData("bridge-interface=br0,eth0:1", "bad interface name 'eth0:1' in bridge-interface")]
    public void Bad_bridge_interface_is_an_error_at_its_line(string line, string message) =>
        ConfigAssert.Error(line, message);

    [Fact]
    public void Dhcp_relay_takes_local_and_server_with_an_optional_port_and_interface()
    {
        var relays = ConfigAssert.Valid("dhcp-relay=10.0.0.1,192.0.2.5\ndhcp-relay=10.0.1.1,192.0.2.6#1067,eth2").Protocol.Relays;
        Assert.Equal((IPv4Address.Parse("10.0.0.1"), IPv4Address.Parse("192.0.2.5"), (ushort)67, (string?)null),
            (relays[0].Local, relays[0].Server, relays[0].ServerPort, relays[0].InterfaceName));
        Assert.Equal(((ushort)1067, "eth2"), (relays[1].ServerPort, relays[1].InterfaceName));
        ConfigAssert.Error("dhcp-relay=10.0.0.1", "bad dhcp-relay");
        ConfigAssert.Error("dhcp-relay=10.0.0.1,server.example", "bad dhcp-relay");
    }

    [Theory]
    [InlineData("dhcp-relay=10.0.0.1,192.0.2.5")]
    [InlineData("dhcp-broadcast=tag:x")]
    [InlineData("dhcp-rapid-commit")]
    [InlineData("dhcp-circuitid=set:c,01:02")]
    [InlineData("dhcp-reply-delay=tag:slowfw,2")]
    [InlineData("shared-network=eth0,10.1.0.1")]
    [InlineData("dhcp-proxy")]
    [InlineData("bridge-interface=br0,tap*")]
    public void Served_without_a_not_in_effect_notice(string line) =>
        Assert.DoesNotContain(ConfigAssert.Valid(line).Notices, n => n.Kind == ConfigNoticeKind.NotInEffect);
}
