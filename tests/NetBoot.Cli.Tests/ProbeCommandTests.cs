using NetBoot.Cli.Commands;
using NetBoot.Hosting.Net;
using NetBoot.Wire.Net;

namespace NetBoot.Cli.Tests;

/// <summary>Which interface <c>netboot probe</c> acts on: decided on the interface's flag (up) and its addresses, never on
/// the operstate that lags behind <c>ip link set up</c>; an interface without IPv4 is probed too.</summary>
public class ProbeCommandTests
{
    private static HostInterface Nic(string name, bool up, bool loopback = false, string? address = null) =>
        new(name, name.Length, 1500, loopback, address is null ? [] : [(IPv4Address.Parse(address), IPv4Address.MaskFromPrefix(24))], up);

    private static readonly HostInterface[] Interfaces =
        [Nic("lo", true, loopback: true, "127.0.0.1"), Nic("eth0", true), Nic("eth1", false, address: "10.0.0.9"), Nic("eth2", true, address: "10.1.0.9")];

    [Fact]
    public void An_interface_that_is_up_is_probed_with_or_without_an_address()
    {
        Assert.Equal("eth0", ProbeCommand.ChooseInterface(Interfaces, "eth0", out var problem)?.Name);
        Assert.Null(problem);
        Assert.Equal("eth2", ProbeCommand.ChooseInterface(Interfaces, "eth2", out _)?.Name);
    }

    [Fact]
    public void A_down_or_unknown_interface_is_refused_with_what_to_do()
    {
        Assert.Null(ProbeCommand.ChooseInterface(Interfaces, "eth1", out var down));
        Assert.Equal("interface eth1 is down: bring it up first (ip link set eth1 up)", down);
        Assert.Null(ProbeCommand.ChooseInterface(Interfaces, "eth7", out var unknown));
        Assert.Equal("interface eth7 not found (interfaces: lo, eth0, eth1, eth2)", unknown);
    }

    [Fact]
    public void Without_a_name_the_first_interface_up_with_ipv4_is_preferred()
    {
        Assert.Equal("eth2", ProbeCommand.ChooseInterface(Interfaces, null, out _)?.Name);
        Assert.Equal("eth0", ProbeCommand.ChooseInterface([Nic("lo", true, true, "127.0.0.1"), Nic("eth0", true)], null, out _)?.Name);
        Assert.Null(ProbeCommand.ChooseInterface([Nic("lo", true, true, "127.0.0.1")], null, out var none));
        Assert.StartsWith("no interface is up to probe on", none, StringComparison.Ordinal);
    }
}
