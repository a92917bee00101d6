using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary>Runs the engine against an in-memory lease table, applying each returned change as the store would, with a
/// clock the test moves.</summary>
internal sealed class LeaseHarness(ServerConfig config)
{
    public static readonly IPv4Address Server = IPv4Address.Parse("192.168.67.1");

    public LeaseTable Leases { get; } = new();

    public DateTimeOffset Now { get; set; } = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public ServerConfig Config { get; set; } = config;

    public ArrivalInterface Interface { get; set; } = new("eth1", 3, Server, IPv4Address.Parse("255.255.255.0"));

    public DhcpOutcome Send(DhcpMessage message, IPv4Address? source = null)
    {
        var request = new DhcpRequest(message, Interface, source ?? IPv4Address.Any, 68, 67);
        var outcome = DhcpEngine.Decide(request, Config, Leases, Now);
        if (outcome.Change is { } change)
        {
            Leases.Apply(change);
        }
        return outcome;
    }

    /// <summary>DISCOVER, then REQUEST for the offered address: the ACKed address.</summary>
    public IPv4Address Dora(HardwareAddress client, Func<DhcpMessage, DhcpMessage>? decorate = null)
    {
        decorate ??= m => m;
        var offer = DecisionAssert.Reply(Send(decorate(Messages.Discover(client))).Decision);
        var ack = DecisionAssert.Reply(Send(decorate(Messages.Selecting(client, offer.Message.YourAddress, Server))).Decision);
        Assert.Equal(DhcpMessageType.Ack, ack.Message.MessageType);
        return ack.Message.YourAddress;
    }

    /// <summary>dhcp-range=192.168.67.20,192.168.67.250,12h on eth1 (the private side of ltsp-2nic.conf).</summary>
    public static ServerConfig OwnedConfig(string start = "192.168.67.20", string end = "192.168.67.250") => new()
    {
        SourceFiles = ["/etc/netboot.conf"],
        Ranges =
        [
            new DhcpRangeConfig
            {
                Start = IPv4Address.Parse(start), End = IPv4Address.Parse(end), LeaseTime = TimeSpan.FromHours(12),
                Source = new SourceLocation("/etc/netboot.conf", 1),
            },
        ],
    };

    public static DhcpHostConfig Host(string mac, string? address = null, string? name = null) => new()
    {
        HardwareAddresses = [new HardwareAddressPattern(1, [.. mac.Split(':').Select(b => b == "*" ? (byte?)null : Convert.ToByte(b, 16))])],
        Address = address is null ? null : IPv4Address.Parse(address),
        HostName = name,
        Source = new SourceLocation("/etc/netboot.conf", 5),
    };
}

internal static class Messages
{
    public static HardwareAddress Mac(int n) => HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x12, (byte)(n >> 8), (byte)n]);

    public static DhcpMessage Discover(HardwareAddress client) =>
        WithRequestList(DhcpMessage.CreateRequest(DhcpMessageType.Discover, client, 0x1000));

    public static DhcpMessage Selecting(HardwareAddress client, IPv4Address offered, IPv4Address server) =>
        WithRequestList(DhcpMessage.CreateRequest(DhcpMessageType.Request, client, 0x1000)) is var m
            ? m with { Options = m.Options.With(DhcpOptionCode.RequestedIPAddress, offered.ToBytes()).With(DhcpOptionCode.ServerIdentifier, server.ToBytes()) }
            : m;

    public static DhcpMessage InitReboot(HardwareAddress client, IPv4Address remembered) =>
        WithRequestList(DhcpMessage.CreateRequest(DhcpMessageType.Request, client, 0x2000)) is var m
            ? m with { Options = m.Options.With(DhcpOptionCode.RequestedIPAddress, remembered.ToBytes()) }
            : m;

    public static DhcpMessage Renewing(HardwareAddress client, IPv4Address current) =>
        WithRequestList(DhcpMessage.CreateRequest(DhcpMessageType.Request, client, 0x3000)) with { ClientAddress = current };

    public static DhcpMessage Release(HardwareAddress client, IPv4Address current, IPv4Address server) =>
        DhcpMessage.CreateRequest(DhcpMessageType.Release, client, 0x4000) is var m
            ? m with { ClientAddress = current, Options = m.Options.With(DhcpOptionCode.ServerIdentifier, server.ToBytes()) }
            : m;

    public static DhcpMessage Decline(HardwareAddress client, IPv4Address address, IPv4Address server) =>
        DhcpMessage.CreateRequest(DhcpMessageType.Decline, client, 0x5000) is var m
            ? m with { Options = m.Options.With(DhcpOptionCode.RequestedIPAddress, address.ToBytes()).With(DhcpOptionCode.ServerIdentifier, server.ToBytes()) }
            : m;

    public static DhcpMessage Inform(HardwareAddress client, IPv4Address current) =>
        WithRequestList(DhcpMessage.CreateRequest(DhcpMessageType.Inform, client, 0x6000)) with { ClientAddress = current };

    /// <summary>dhclient's list: 1, 28, 2, 3, 15, 6, 12.</summary>
    public static DhcpMessage WithRequestList(DhcpMessage message, params byte[] codes) =>
        message with { Options = message.Options.With(DhcpOptionCode.ParameterRequestList, codes.Length == 0 ? [1, 28, 2, 3, 15, 6, 12] : codes) };

    public static DhcpMessage With(DhcpMessage message, DhcpOptionCode code, byte[] data) =>
        message with { Options = message.Options.With(code, data) };

    public static byte[] Seconds(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
