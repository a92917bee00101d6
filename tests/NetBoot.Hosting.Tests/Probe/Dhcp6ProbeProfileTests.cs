using System.Net;
using System.Text;
using NetBoot.Hosting.Probe;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Probe;

/// <summary>The pure half of <c>probe --ipv6</c>: the SOLICIT and REQUEST bytes UEFI PXEv6 firmware sends (through the
/// encoder and back through the decoder, as a server reads them), and the reading of ADVERTISE and REPLY.</summary>
public class Dhcp6ProbeProfileTests
{
    private static readonly HardwareAddress Mac = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    private static readonly Duid Client = Dhcp6ProbeProfile.ClientDuid(Mac);
    private static readonly Duid Server = Duid.LinkLayer(HardwareAddress.Ethernet([0x02, 0, 0, 0, 0, 1]));
    private static readonly IPAddress ServerLinkLocal = IPAddress.Parse("fe80::1");
    private static readonly IPv6Address Offered = IPv6Address.Parse("fd00::1:57");

    private static Dhcp6Message RoundTrip(Dhcp6Message message)
    {
        Assert.True(Dhcp6MessageDecoder.TryDecode(Dhcp6MessageEncoder.Encode(message), out var packet, out var error), error.ToString());
        return Assert.IsType<Dhcp6Message>(packet);
    }

    private static Dhcp6Message Answer(Dhcp6MessageType type, uint transactionId, Duid client, params Dhcp6Option[] more) => new()
    {
        Type = type,
        TransactionId = transactionId,
        Options = new Dhcp6OptionList([client.ToOption(Dhcp6OptionCode.ClientId), Server.ToOption(Dhcp6OptionCode.ServerId), .. more]),
    };

    private static Dhcp6Option IaWith(IPv6Address address, uint validSeconds = 3600) =>
        new Dhcp6IaNa(5, TimeSpan.FromSeconds(1800), TimeSpan.FromSeconds(2880), new Dhcp6OptionList(
            [new Dhcp6IaAddress(address, TimeSpan.FromSeconds(validSeconds), TimeSpan.FromSeconds(validSeconds), Dhcp6OptionList.Empty).ToOption()])).ToOption();

    [Fact]
    public void Solicit_carries_what_EDK2_PXEv6_sends()
    {
        var solicit = RoundTrip(Dhcp6ProbeProfile.Solicit(Client, 5, 0xABCDEF, TimeSpan.Zero));

        Assert.Equal((Dhcp6MessageType.Solicit, 0xABCDEFu), (solicit.Type, solicit.TransactionId));
        // DUID-LL (RFC 8415 §11.4): type 3, hardware type 1, the MAC.
        Assert.Equal("00:03:00:01:52:54:00:12:34:56", solicit.Options.ClientId.ToString());
        var ia = Assert.Single(solicit.Options.IdentityAssociations);
        Assert.Equal(5u, ia.Iaid);
        Assert.Empty(ia.Addresses);
        Assert.Equal([Dhcp6OptionCode.DnsServers, Dhcp6OptionCode.DomainList, Dhcp6OptionCode.BootfileUrl, Dhcp6OptionCode.BootfileParam],
            solicit.Options.OptionRequests.ToArray());
        Assert.Equal([(ushort)7], solicit.Options.ClientArchitectures.ToArray());
        var vendor = Assert.Single(solicit.Options.VendorClasses);
        Assert.Equal(343u, vendor.EnterpriseNumber);
        Assert.Equal("PXEClient:Arch:00007:UNDI:003016", Encoding.ASCII.GetString(Assert.Single(vendor.Items).AsSpan()));
        Assert.Equal(TimeSpan.Zero, solicit.Options.ElapsedTime);
        Assert.False(solicit.Options.Contains(Dhcp6OptionCode.ServerId));
    }

    [Fact]
    public void Request_asks_the_advertising_server_for_the_advertised_address()
    {
        var advertise = Dhcp6ProbeProfile.Read(RoundTrip(Answer(Dhcp6MessageType.Advertise, 1, Client, IaWith(Offered))),
            Dhcp6MessageType.Advertise, 1, Client, ServerLinkLocal)!;

        var request = RoundTrip(Dhcp6ProbeProfile.Request(Client, 5, 2, TimeSpan.FromMilliseconds(1230), advertise));

        Assert.Equal((Dhcp6MessageType.Request, 2u), (request.Type, request.TransactionId));
        Assert.Equal(Client, request.Options.ClientId);
        Assert.Equal(Server, request.Options.ServerId);
        var ia = Assert.Single(request.Options.IdentityAssociations);
        Assert.Equal((5u, Offered), (ia.Iaid, Assert.Single(ia.Addresses).Address));
        Assert.Equal(TimeSpan.FromMilliseconds(1230), request.Options.ElapsedTime);
        Assert.Equal([(ushort)7], request.Options.ClientArchitectures.ToArray());
        Assert.Equal(343u, Assert.Single(request.Options.VendorClasses).EnterpriseNumber);
    }

    [Fact]
    public void An_advertise_is_read_for_address_server_bootfile_and_preference()
    {
        var advertise = Answer(Dhcp6MessageType.Advertise, 9, Client, IaWith(Offered), Dhcp6Options.Preference(255),
            Dhcp6Options.BootfileUrl("tftp://[fd00::1]/bootx64.efi"), Dhcp6OpaqueItems.BootfileParameters(["console=ttyS0", "quiet"]));

        var offer = Dhcp6ProbeProfile.Read(RoundTrip(advertise), Dhcp6MessageType.Advertise, 9, Client, ServerLinkLocal);

        Assert.NotNull(offer);
        Assert.Equal(Offered, offer.Address);
        Assert.Equal(TimeSpan.FromSeconds(3600), offer.ValidLifetime);
        Assert.Equal(Server, offer.ServerId);
        Assert.Equal(255, offer.Preference);
        Assert.Equal("tftp://[fd00::1]/bootx64.efi", offer.BootfileUrl);
        Assert.Equal(["console=ttyS0", "quiet"], offer.BootfileParameters.ToArray());
        Assert.Null(offer.Failure);
        Assert.Equal(ServerLinkLocal, offer.From);
    }

    /// <summary>RFC 8415 §16: another transaction's, another client's, another type, or no Server ID: ignored.</summary>
    [Fact]
    public void Answers_not_to_this_client_and_transaction_are_ignored()
    {
        var other = Duid.LinkLayer(HardwareAddress.Ethernet([2, 9, 9, 9, 9, 9]));
        Assert.Null(Dhcp6ProbeProfile.Read(Answer(Dhcp6MessageType.Advertise, 8, Client, IaWith(Offered)), Dhcp6MessageType.Advertise, 9, Client, ServerLinkLocal));
        Assert.Null(Dhcp6ProbeProfile.Read(Answer(Dhcp6MessageType.Advertise, 9, other, IaWith(Offered)), Dhcp6MessageType.Advertise, 9, Client, ServerLinkLocal));
        Assert.Null(Dhcp6ProbeProfile.Read(Answer(Dhcp6MessageType.Reply, 9, Client, IaWith(Offered)), Dhcp6MessageType.Advertise, 9, Client, ServerLinkLocal));
        var noServer = Answer(Dhcp6MessageType.Advertise, 9, Client, IaWith(Offered)) is var m ? m with { Options = m.Options.Without(Dhcp6OptionCode.ServerId) } : null;
        Assert.Null(Dhcp6ProbeProfile.Read(noServer!, Dhcp6MessageType.Advertise, 9, Client, ServerLinkLocal));
    }

    [Fact]
    public void An_advertise_without_addresses_reports_its_status_and_is_not_chosen()
    {
        var noAddress = new Dhcp6IaNa(5, TimeSpan.Zero, TimeSpan.Zero,
            new Dhcp6OptionList([new Dhcp6StatusCode(Dhcp6Status.NoAddrsAvail, "no addresses available").ToOption()])).ToOption();
        var refused = Dhcp6ProbeProfile.Read(RoundTrip(Answer(Dhcp6MessageType.Advertise, 9, Client, noAddress)), Dhcp6MessageType.Advertise, 9, Client, ServerLinkLocal)!;

        Assert.Null(refused.Address);
        Assert.Equal(Dhcp6Status.NoAddrsAvail, refused.Failure?.Code);
        Assert.Null(Dhcp6ProbeProfile.Choose([refused]));
    }

    /// <summary>RFC 8415 §18.2.1: the highest preference wins; among equals, the first received.</summary>
    [Fact]
    public void The_highest_preference_is_chosen_and_the_first_among_equals()
    {
        Dhcp6ProbeOffer Offer(byte preference, string address) =>
            Dhcp6ProbeProfile.Read(Answer(Dhcp6MessageType.Advertise, 9, Client, IaWith(IPv6Address.Parse(address)), Dhcp6Options.Preference(preference)),
                Dhcp6MessageType.Advertise, 9, Client, ServerLinkLocal)!;

        Assert.Equal(IPv6Address.Parse("fd00::2"), Dhcp6ProbeProfile.Choose([Offer(0, "fd00::1"), Offer(10, "fd00::2"), Offer(10, "fd00::3")])!.Address);
    }

    [Theory]
    [InlineData("tftp://[fd00::1]/bootx64.efi", "[fd00::1]:69", "bootx64.efi")]
    [InlineData("tftp://[fd00::1]:6969/efi/grubx64.efi", "[fd00::1]:6969", "efi/grubx64.efi")]
    [InlineData("tftp://[2001:db8::5]/a%20b.efi", "[2001:db8::5]:69", "a b.efi")]
    public void A_tftp_bootfile_url_names_the_server_and_the_path(string url, string server, string path)
    {
        var target = Dhcp6ProbeProfile.ParseBootfileUrl(url, out var problem);

        Assert.Null(problem);
        Assert.False(target!.IsHttp);
        Assert.Equal((server, path), (target.TftpServer!.ToString(), target.Path));
    }

    [Fact]
    public void An_http_bootfile_url_is_fetched_by_http()
    {
        var target = Dhcp6ProbeProfile.ParseBootfileUrl("http://[fd00::1]:8080/ipxe.efi", out var problem);

        Assert.Null(problem);
        Assert.True(target!.IsHttp);
        Assert.Equal("http://[fd00::1]:8080/ipxe.efi", target.Url);
    }

    [Theory]
    [InlineData(null, "no bootfile-url")]
    [InlineData("", "no bootfile-url")]
    [InlineData("bootx64.efi", "not a tftp:// or http:// URL")]
    [InlineData("ftp://[fd00::1]/bootx64.efi", "not a tftp:// or http:// URL")]
    [InlineData("tftp://boot.example/bootx64.efi", "must be an IPv6 address in brackets")]
    [InlineData("tftp://10.0.0.1/bootx64.efi", "must be an IPv6 address in brackets")]
    [InlineData("tftp://[fd00::1]/", "names no file")]
    public void A_bootfile_url_the_firmware_cannot_use_is_refused_with_the_reason(string? url, string reason)
    {
        Assert.Null(Dhcp6ProbeProfile.ParseBootfileUrl(url, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }
}
