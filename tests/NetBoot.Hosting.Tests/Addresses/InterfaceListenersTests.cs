using System.Collections.Immutable;
using System.Net.Sockets;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Tests.Http;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Addresses;

public class InterfaceListenersTests
{
    private static readonly IPv4Address Mask24 = IPv4Address.Parse("255.255.255.0");

    private static HostInterface Nic(string name, int index, bool up = true, params string[] addresses) =>
        new(name, index, 1500, false, [.. addresses.Select(a => (IPv4Address.Parse(a), Mask24))], up);

    private static InterfaceReading Reading(params HostInterface[] interfaces) => new([.. interfaces]);

    /// <summary>Listeners named after their interface; what was opened and closed, in order.</summary>
    private sealed class Recorder
    {
        public List<string> Events { get; } = [];

        public HashSet<string> Refusing { get; } = [];

        public InterfaceListeners<string> Create() => new(
            nic => nic.IsUp && nic.HasIPv4,
            (nic, report) =>
            {
                if (Refusing.Contains(nic.Name))
                {
                    Events.Add(report ? $"failed {nic.Name} (reported)" : $"failed {nic.Name}");
                    throw new SocketException((int)SocketError.AddressAlreadyInUse);
                }
                Events.Add($"open {nic.Name}#{nic.Index}");
                return $"{nic.Name}#{nic.Index}";
            },
            (nic, listener) => Events.Add($"close {listener}"));
    }

    [Fact]
    public void A_listener_opens_when_its_interface_comes_up_with_an_address_and_closes_only_when_the_interface_is_gone()
    {
        var recorder = new Recorder();
        var listeners = recorder.Create();

        listeners.Update(Reading(Nic("eth1", 5, up: false, "10.0.0.1")));
        Assert.Empty(recorder.Events);
        listeners.Update(Reading(Nic("eth1", 5, up: true, "10.0.0.1")));
        Assert.Equal(["open eth1#5"], recorder.Events);

        // Down, then without its address: the socket is bound to the device and stays for when the address is back.
        listeners.Update(Reading(Nic("eth1", 5, up: false, "10.0.0.1")));
        listeners.Update(Reading(Nic("eth1", 5, up: true)));
        Assert.Equal(["open eth1#5"], recorder.Events);
        Assert.Equal(["eth1#5"], listeners.Listeners);

        listeners.Update(Reading());
        Assert.Equal(["open eth1#5", "close eth1#5"], recorder.Events);
        Assert.Equal(0, listeners.Count);
    }

    [Fact]
    public void A_new_interface_that_takes_the_name_of_a_deleted_one_gets_its_own_listener()
    {
        var recorder = new Recorder();
        var listeners = recorder.Create();
        listeners.Update(Reading(Nic("veth0", 5, true, "10.0.0.1")));

        listeners.Update(Reading(Nic("veth0", 9, true, "10.0.0.1")));

        Assert.Equal(["open veth0#5", "close veth0#5", "open veth0#9"], recorder.Events);
    }

    [Fact]
    public void The_same_reading_twice_changes_nothing()
    {
        var recorder = new Recorder();
        var listeners = recorder.Create();
        var reading = Reading(Nic("eth0", 2, true, "10.0.0.1"), Nic("eth1", 3, true, "10.1.0.1"));

        listeners.Update(reading);
        listeners.Update(reading);

        Assert.Equal(["open eth0#2", "open eth1#3"], recorder.Events);
    }

    [Fact]
    public void A_socket_that_cannot_be_bound_later_is_reported_once_and_tried_again_at_each_reading()
    {
        var recorder = new Recorder();
        var listeners = recorder.Create();
        recorder.Refusing.Add("eth1");
        var reading = Reading(Nic("eth0", 2, true, "10.0.0.1"), Nic("eth1", 3, true, "10.1.0.1"));

        listeners.Update(reading);
        listeners.Update(reading);
        recorder.Refusing.Clear();
        listeners.Update(reading);

        Assert.Equal(["open eth0#2", "failed eth1 (reported)", "failed eth1", "open eth1#3"], recorder.Events);
    }

    [Fact]
    public void At_start_a_socket_that_cannot_be_bound_stops_the_service()
    {
        var recorder = new Recorder();
        var listeners = recorder.Create();
        recorder.Refusing.Add("eth0");

        var error = Assert.Throws<SocketException>(() => listeners.Update(Reading(Nic("eth0", 2, true, "10.0.0.1")), throwOnFailure: true));

        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
        Assert.Equal(["failed eth0 (reported)"], recorder.Events);
    }

    [Fact]
    public void After_stop_every_listener_is_closed_and_later_readings_open_nothing()
    {
        var recorder = new Recorder();
        var listeners = recorder.Create();
        listeners.Update(Reading(Nic("eth0", 2, true, "10.0.0.1")));

        listeners.Stop();
        listeners.Update(Reading(Nic("eth0", 2, true, "10.0.0.1"), Nic("eth1", 3, true, "10.1.0.1")));

        Assert.Equal(["open eth0#2", "close eth0#2"], recorder.Events);
    }

    [Fact]
    public void A_reading_compares_interfaces_by_state_not_by_reference()
    {
        ImmutableArray<HostInterface> now = [Nic("eth0", 2, false, "10.0.0.1")];
        using var addresses = InterfaceAddresses.FromReader(() => now, null);
        var raised = 0;
        addresses.Changed += _ => raised++;

        now = [Nic("eth0", 2, false, "10.0.0.1")];
        addresses.Refresh();
        Assert.Equal(0, raised);

        // Only the flag changes (ip link set up): still a new reading, so listeners can open.
        now = [Nic("eth0", 2, true, "10.0.0.1")];
        addresses.Refresh();
        Assert.Equal(1, raised);
        Assert.True(addresses.Current.Interfaces[0].IsUp);
    }

    [Fact]
    public void Vanished_names_interfaces_deleted_or_replaced_by_a_new_one_of_the_same_name()
    {
        ImmutableArray<HostInterface> before = [Nic("eth0", 2, true, "10.0.0.1"), Nic("veth0", 5), Nic("veth1", 6)];
        ImmutableArray<HostInterface> after = [Nic("eth0", 2, false), Nic("veth1", 7)];

        Assert.Equal(["veth0", "veth1"], InterfaceAddresses.Vanished(before, after).Select(n => n.Name));
    }

    [Fact]
    public void A_failing_subscriber_is_logged_and_the_others_still_follow_the_change()
    {
        ImmutableArray<HostInterface> now = [Nic("eth0", 2)];
        var logger = new RecordingLogger<InterfaceListenersTests>();
        using var addresses = InterfaceAddresses.FromReader(() => now, logger);
        var followed = 0;
        addresses.Changed += _ => throw new InvalidOperationException("a bug");
        addresses.Changed += _ => followed++;

        now = [Nic("eth0", 2), Nic("eth1", 3, true, "10.1.0.1")];
        addresses.Refresh();

        Assert.Equal(1, followed);
        Assert.Contains("internal error while following an interface change; the other services still follow it", logger.Lines);
    }
}
