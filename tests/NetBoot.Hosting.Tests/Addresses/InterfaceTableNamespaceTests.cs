using NetBoot.Hosting.Net;
using NetBoot.Testing;

namespace NetBoot.Hosting.Tests.Addresses;

/// <summary>The kernel's interface table read in a namespace of the test's own. Root only; these run in the full suite
/// (scripts/test), not in <c>--unit</c>.</summary>
[Trait("Category", "Namespace")]
public sealed class InterfaceTableNamespaceTests : IDisposable
{
    private readonly NetworkNamespace _near = NetworkNamespace.Create("nbifa");
    private readonly NetworkNamespace _far = NetworkNamespace.Create("nbifb");

    public InterfaceTableNamespaceTests() =>
        Shell.Run("ip", "link", "add", "nbt0", "netns", _near.Name, "type", "veth", "peer", "name", "nbt1", "netns", _far.Name);

    private HostInterface Read(string name) => Assert.Single(_near.Run(HostInterface.ReadAll), n => n.Name == name);

    [Fact]
    public void An_interface_is_up_the_moment_it_is_brought_up_whatever_its_operstate_says()
    {
        Assert.False(Read("nbt0").IsUp);

        // The far end stays down: no carrier, so the operstate never becomes "up" (right after a real link-up it lags
        // the same way for up to a second). The decision is the flag's.
        _near.Exec("ip", "link", "set", "nbt0", "up");

        var nic = Read("nbt0");
        Assert.True(nic.IsUp);
        Assert.False(nic.HasIPv4);
        Assert.NotEqual("up", _near.Exec("cat", "/sys/class/net/nbt0/operstate").Trim());
        Assert.DoesNotContain(_near.Run(HostInterface.Enumerate), n => n.Name == "nbt0");
    }

    [Fact]
    public void Addresses_aliases_index_and_mtu_are_read_for_interfaces_up_or_down()
    {
        _near.Exec("ip", "link", "set", "nbt0", "mtu", "1400");
        _near.Exec("ip", "addr", "add", "10.5.0.1/24", "dev", "nbt0");
        _near.Exec("ip", "addr", "add", "10.6.0.1/16", "dev", "nbt0", "label", "nbt0:1");

        var down = Read("nbt0");
        Assert.False(down.IsUp);
        Assert.Equal(["10.5.0.1/255.255.255.0", "10.6.0.1/255.255.0.0"], down.Addresses.Select(a => $"{a.Address}/{a.Netmask}"));
        Assert.Equal(int.Parse(_near.Exec("cat", "/sys/class/net/nbt0/ifindex").Trim(), System.Globalization.CultureInfo.InvariantCulture), down.Index);
        Assert.Equal(1400, down.Mtu);

        _near.Exec("ip", "link", "set", "nbt0", "up");
        Assert.Contains(_near.Run(HostInterface.Enumerate), n => n.Name == "nbt0");
        var loopback = Read("lo");
        Assert.True(loopback.IsLoopback && loopback.IsUp);
        Assert.Equal(1, loopback.Index);
    }

    /// <summary>IPv6 addresses with their prefix lengths; only an address beyond link-local makes an interface one to
    /// serve over IPv6 alone (every interface that is up has a link-local one).</summary>
    [Fact]
    public void IPv6_addresses_are_read_with_their_prefix_length()
    {
        _near.Exec("ip", "addr", "add", "fe80::1/64", "dev", "nbt0", "nodad");
        _near.Exec("ip", "link", "set", "nbt0", "up");
        Assert.False(Read("nbt0").HasIPv6);

        _near.Exec("ip", "addr", "add", "fd00:5::1/64", "dev", "nbt0", "nodad");

        var nic = Read("nbt0");
        Assert.True(nic.HasIPv6);
        Assert.False(nic.HasIPv4);
        Assert.Contains((Wire.Net.IPv6Address.Parse("fd00:5::1"), 64), nic.IPv6Addresses);
        Assert.Contains((Wire.Net.IPv6Address.Parse("fe80::1"), 64), nic.IPv6Addresses);
        Assert.Contains((Wire.Net.IPv6Address.Parse("::1"), 128), Read("lo").IPv6Addresses);
    }

    public void Dispose()
    {
        _near.Dispose();
        _far.Dispose();
    }
}
