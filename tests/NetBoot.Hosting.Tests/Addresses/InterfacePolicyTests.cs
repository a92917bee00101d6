using System.Collections.Immutable;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Tests.Http;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Addresses;

public class InterfacePolicyTests
{
    private static HostInterface Nic(string name, int index, bool loopback = false) =>
        new(name, index, 1500, loopback, [(IPv4Address.Parse("10.0.0.1"), IPv4Address.MaskFromPrefix(24))]);

    private static Configuration.Model.InterfaceConfig Interfaces(string text) =>
        DnsmasqConfigReader.Parse(text + "\ndhcp-range=10.0.0.0,proxy\npxe-service=X86PC,\"Boot\",pxelinux\n").Config!.Interfaces;

    private static readonly InterfaceReading AtStart = new([Nic("lo", 1, loopback: true), Nic("eth0", 2)]);

    [Theory]
    [InlineData("", InterfaceBinding.Default, true)]
    [InlineData("bind-dynamic", InterfaceBinding.Dynamic, true)]
    [InlineData("bind-interfaces", InterfaceBinding.Interfaces, false)]
    public void Only_bind_interfaces_ignores_interfaces_that_appear_after_start(string mode, InterfaceBinding binding, bool followed)
    {
        var policy = InterfacePolicy.Create(Interfaces(mode), AtStart);

        Assert.Equal(binding, policy.Binding);
        Assert.True(policy.Covers(Nic("eth0", 2)));
        Assert.Equal(followed, policy.Covers(Nic("veth7", 9)));
    }

    [Fact]
    public void Interface_and_except_interface_choose_with_wildcards_and_loopback_only_when_named()
    {
        var policy = InterfacePolicy.Create(Interfaces("interface=eth*\ninterface=lo\nexcept-interface=eth9"), AtStart);

        Assert.True(policy.Covers(Nic("eth1", 3)));
        Assert.False(policy.Covers(Nic("eth9", 4)));
        Assert.False(policy.Covers(Nic("wlan0", 5)));
        Assert.True(policy.Covers(Nic("lo", 1, loopback: true)));
        Assert.False(InterfacePolicy.Create(Interfaces(""), AtStart).Covers(Nic("lo", 1, loopback: true)));
    }

    [Fact]
    public void Missing_names_the_interfaces_and_wildcards_that_match_nothing()
    {
        var missing = InterfacePolicy.Missing(Interfaces("interface=eth0\ninterface=eth1\ninterface=br*\ninterface=et*"), AtStart.Interfaces);

        Assert.Equal(["eth1", "br*"], missing.ToArray());
    }

    [Fact]
    public void A_missing_interface_is_fatal_under_bind_interfaces_with_dnsmasqs_words()
    {
        var logger = new RecordingLogger<InterfacePolicyTests>();

        var failure = InterfacePresence.Check(Interfaces("interface=eth1\nbind-interfaces"), AtStart, logger);

        Assert.StartsWith("unknown interface eth1 (bind-interfaces listens only on interfaces present at start; interfaces: lo, eth0)", failure, StringComparison.Ordinal);
        Assert.Contains("use bind-dynamic to wait for it", failure, StringComparison.Ordinal);
        Assert.Empty(logger.Lines);
    }

    [Theory]
    [InlineData("bind-dynamic", "(bind-dynamic)")]
    [InlineData("", "(interface= without bind-interfaces)")]
    public void Otherwise_a_missing_interface_is_waited_for(string mode, string said)
    {
        var logger = new RecordingLogger<InterfacePolicyTests>();

        Assert.Null(InterfacePresence.Check(Interfaces("interface=eth1\n" + mode), AtStart, logger));

        var line = Assert.Single(logger.Lines);
        Assert.StartsWith("waiting for interface eth1: it does not currently exist " + said, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Under_bind_interfaces_an_interface_that_appears_later_is_reported_once_as_not_served()
    {
        var logger = new RecordingLogger<InterfacePolicyTests>();
        ImmutableArray<HostInterface> now = AtStart.Interfaces;
        using var addresses = InterfaceAddresses.FromReader(() => now, null);
        using var report = InterfacePresence.ReportUnfollowed(Interfaces("bind-interfaces"), addresses, logger);

        now = [.. AtStart.Interfaces, Nic("veth7", 9)];
        addresses.Refresh();
        now = [.. AtStart.Interfaces, new HostInterface("veth7", 9, 1500, false, [])];
        addresses.Refresh();

        Assert.Equal(["interface veth7 appeared after start: not listening on it (bind-interfaces binds the interfaces present at start; use bind-dynamic to follow new ones)"],
            logger.Lines);
    }
}
