using System.Collections.Immutable;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine;
using NetBoot.Hosting.Net;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Addresses;

public class ServingInterfaceTests
{
    private static readonly IPv4Address Mask24 = IPv4Address.Parse("255.255.255.0");

    private static HostInterface Nic(params string[] addresses) =>
        new("eth0", 7, 1500, false, [.. addresses.Select(a => (IPv4Address.Parse(a), Mask24))]);

    private static Configuration.Model.ServerConfig Config() =>
        DnsmasqConfigReader.Parse("dhcp-range=10.0.0.0,proxy\npxe-service=X86PC,\"Boot\",pxelinux\n").Config!;

    [Fact]
    public void Answers_as_the_new_address_after_a_refresh_and_reports_the_change_once()
    {
        ImmutableArray<HostInterface> now = [Nic("10.0.0.2")];
        using var addresses = InterfaceAddresses.FromReader(() => now, null);
        var config = Config();
        var serving = new ServingInterface(new ArrivalInterface("eth0", 7, IPv4Address.Parse("10.0.0.2"), Mask24), addresses);
        var reported = new List<string?>();
        serving.AddressChanged += (_, a) => reported.Add(a?.Address.ToString());
        Assert.Equal("10.0.0.2", serving.Resolve(config)!.Address.ToString());

        now = [Nic("10.0.0.3")];
        addresses.Refresh();

        Assert.Equal("10.0.0.3", serving.Resolve(config)!.Address.ToString());
        Assert.Same(serving.Resolve(config), serving.Resolve(config));
        Assert.Equal(["10.0.0.3"], reported);
    }

    [Fact]
    public void An_interface_without_an_address_in_a_range_subnet_answers_nothing_until_it_has_one()
    {
        ImmutableArray<HostInterface> now = [Nic("10.0.0.2")];
        using var addresses = InterfaceAddresses.FromReader(() => now, null);
        var config = Config();
        var serving = new ServingInterface(new ArrivalInterface("eth0", 7, IPv4Address.Parse("10.0.0.2"), Mask24), addresses);

        now = [Nic("192.168.5.5")];
        addresses.Refresh();
        Assert.Null(serving.Resolve(config));

        now = [];
        addresses.Refresh();
        Assert.Null(serving.Resolve(config));

        now = [Nic("10.0.0.9")];
        addresses.Refresh();
        Assert.Equal("10.0.0.9", serving.Resolve(config)!.Address.ToString());
    }

    [Fact]
    public void A_bridge_interface_alias_answers_as_its_bridge_but_keeps_its_own_index()
    {
        var bridge = new HostInterface("br0", 3, 1500, false, [(IPv4Address.Parse("10.0.0.1"), Mask24)]);
        var tap = new HostInterface("tap12", 9, 1400, false, []);
        ImmutableArray<HostInterface> now = [bridge, tap];
        using var addresses = InterfaceAddresses.FromReader(() => now, null);
        var config = DnsmasqConfigReader.Parse("dhcp-range=10.0.0.20,10.0.0.30,1h\nbridge-interface=br0,vnet0,tap*\n").Config!;

        Assert.Same(bridge, InterfaceSelection.ServedAs(config, tap, addresses.Current));
        Assert.Same(bridge, InterfaceSelection.ServedAs(config, bridge, addresses.Current));
        var serving = new ServingInterface(new ArrivalInterface("tap12", 9, IPv4Address.Parse("10.0.0.1"), Mask24, 1400), addresses);
        Assert.Equal(new ArrivalInterface("br0", 9, IPv4Address.Parse("10.0.0.1"), Mask24, 1400), serving.Resolve(config));

        // Without its bridge interface an alias answers nothing (dnsmasq: "unknown interface br0 in bridge-interface").
        now = [tap];
        addresses.Refresh();
        Assert.Null(InterfaceSelection.ServedAs(config, tap, addresses.Current));
        Assert.Null(serving.Resolve(config));
    }

    [Fact]
    public void Differences_name_each_interface_whose_addresses_changed()
    {
        var changes = InterfaceAddresses.Differences([Nic("10.0.0.2")], [Nic("10.0.0.3", "10.0.0.4")]);
        Assert.Equal(("eth0", "10.0.0.2/24", "10.0.0.3/24 10.0.0.4/24"), Assert.Single(changes));
        Assert.Empty(InterfaceAddresses.Differences([Nic("10.0.0.2")], [Nic("10.0.0.2")]));
        Assert.Equal(("eth0", "10.0.0.2/24", "none"), Assert.Single(InterfaceAddresses.Differences([Nic("10.0.0.2")], [])));
    }

    [Fact]
    public void A_refresh_without_a_change_keeps_the_same_reading()
    {
        ImmutableArray<HostInterface> now = [Nic("10.0.0.2")];
        using var addresses = InterfaceAddresses.FromReader(() => now, null);
        var first = addresses.Current;
        var raised = 0;
        addresses.Changed += _ => raised++;
        addresses.Refresh();
        Assert.Same(first, addresses.Current);
        Assert.Equal(0, raised);
    }

    [Fact]
    public void Silence_is_reported_once_per_period_without_an_address()
    {
        ImmutableArray<HostInterface> now = [];
        using var addresses = InterfaceAddresses.FromReader(() => now, null);
        var config = Config();
        var serving = new ServingInterface(new ArrivalInterface("eth0", 7, IPv4Address.Parse("10.0.0.2"), Mask24), addresses);
        Assert.Null(serving.Resolve(config));
        Assert.True(serving.ShouldReportSilence());
        Assert.False(serving.ShouldReportSilence());

        now = [Nic("10.0.0.3")];
        addresses.Refresh();
        Assert.NotNull(serving.Resolve(config));
        Assert.False(serving.ShouldReportSilence());

        now = [];
        addresses.Refresh();
        Assert.Null(serving.Resolve(config));
        Assert.True(serving.ShouldReportSilence());
    }
}
