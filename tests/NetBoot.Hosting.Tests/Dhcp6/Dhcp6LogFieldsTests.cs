using NetBoot.Engine.Dhcp6;
using NetBoot.Hosting.Dhcp6;
using NetBoot.Hosting.Tests.Http;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp6;

/// <summary>A DHCPv6 message left unanswered is logged with the engine's reason as a value and the values it concerns
/// as fields of their own.</summary>
public sealed class Dhcp6LogFieldsTests
{
    private readonly RecordingLogger<Dhcp6Service> _log = new();

    [Fact]
    public void A_request_for_another_server_names_both_servers_as_fields()
    {
        var other = Duid.LinkLayer(HardwareAddress.Ethernet([0x52, 0x54, 0, 0, 0, 2]));
        var us = Duid.LinkLayer(HardwareAddress.Ethernet([0x52, 0x54, 0, 0, 0, 1]));
        var drop = new Dhcp6Drop(Dhcp6DropReason.ForAnotherServer,
            new Dhcp6Silence(Dhcp6SilenceReason.ForAnotherServer, Dhcp6MessageType.Request) { NamedServer = other, ThisServer = us });

        Dhcp6Log.Silence(_log, "DHCPREQUEST", "eth0", "00:03:00:01:52:54:00:00:00:09", drop);

        var line = Assert.Single(_log.Lines);
        Assert.Equal($"DHCPREQUEST(eth0) 00:03:00:01:52:54:00:00:00:09 not for this server: ForAnotherServer (it names {other}, this server is {us})", line);
        var (id, fields) = _log.EntryOf(line);
        Assert.Equal(1670, id.Id);
        Assert.Equal(Dhcp6SilenceReason.ForAnotherServer, fields["Reason"]);
        Assert.Equal(other.ToString(), fields["Server"]);
    }

    [Theory]
    [InlineData(Dhcp6DropReason.Malformed, Dhcp6SilenceReason.NoClientIdentifier, 1652)]
    [InlineData(Dhcp6DropReason.NoMatchingRange, Dhcp6SilenceReason.NoRangeOnLink, 1652)]
    [InlineData(Dhcp6DropReason.NotAClientMessage, Dhcp6SilenceReason.ServerMessage, 1653)]
    public void Other_silences_name_their_reason_as_an_enum_field(Dhcp6DropReason drop, Dhcp6SilenceReason reason, int eventId)
    {
        Dhcp6Log.Silence(_log, "DHCPSOLICIT", "eth0", "-", new Dhcp6Drop(drop, new Dhcp6Silence(reason, Dhcp6MessageType.Solicit)));

        var line = Assert.Single(_log.Lines);
        Assert.EndsWith(": " + reason, line, StringComparison.Ordinal);
        var (id, fields) = _log.EntryOf(line);
        Assert.Equal(eventId, id.Id);
        Assert.Equal(reason, fields["Reason"]);
    }

    [Fact]
    public void An_ignored_client_names_the_dhcp_host_line()
    {
        var drop = new Dhcp6Drop(Dhcp6DropReason.IgnoredByHost,
            new Dhcp6Silence(Dhcp6SilenceReason.IgnoredByHost, Dhcp6MessageType.Solicit) { Host = "at line 3 of /etc/netboot/netboot.conf" });

        Dhcp6Log.Silence(_log, "DHCPSOLICIT", "eth0", "00:03:00:01:52:54:00:00:00:09", drop);

        Assert.Equal("DHCPSOLICIT(eth0) 00:03:00:01:52:54:00:00:00:09 no reply: IgnoredByHost (dhcp-host at line 3 of /etc/netboot/netboot.conf)", Assert.Single(_log.Lines));
        Assert.Equal("no reply: dhcp-host at line 3 of /etc/netboot/netboot.conf says ignore".Replace("no reply: ", "", StringComparison.Ordinal), drop.Describe());
    }

    [Fact]
    public void Log_dhcp_writes_the_tags_then_each_option_of_the_reply_under_the_transaction_id()
    {
        var request = new Dhcp6Message { Type = Dhcp6MessageType.Solicit, TransactionId = 0x1234 };
        var reply = new Dhcp6Message
        {
            Type = Dhcp6MessageType.Advertise,
            TransactionId = 0x1234,
            Options = new Dhcp6OptionList([Dhcp6Option.Create(Dhcp6OptionCode.BootfileUrl, "tftp://[fd00::1]/ipxe.efi"u8)]),
        };
        var send = new Dhcp6Send(reply, "advertise") { Tags = ["efi64", "eth0"] };

        Dhcp6Log.Exchange(_log, request, send);

        Assert.Equal(
        [
            "4660 tags: efi64, eth0",
            "4660 sent size: 25 option: 59 bootfile-url  tftp://[fd00::1]/ipxe.efi",
        ], _log.Lines);
        Assert.Equal((ushort)59, _log.EntryOf(_log.Lines.Last()).Fields["Code"]);
    }
}
