using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.Dhcp6.Dhcp6Harness;

namespace NetBoot.Engine.Tests.Dhcp6;

public sealed class Dhcp6ResponderTests
{
    private static readonly IPv6Address RangeStart = IPv6Address.Parse("2001:db8:1::100");
    private static readonly IPv6Address RangeEnd = IPv6Address.Parse("2001:db8:1::1ff");

    [Fact]
    public void Solicit_is_advertised_an_address_from_the_range_held_for_the_duid_and_iaid()
    {
        var harness = new Dhcp6Harness();
        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1))));

        Assert.Equal(Dhcp6MessageType.Advertise, reply.Type);
        Assert.Equal(0x123456u, reply.TransactionId);
        Assert.Equal(Client, reply.Options.ClientId);
        Assert.Equal(ServerDuid, reply.Options.ServerId);
        var address = AddressOf(reply, 1);
        Assert.InRange(address.Value, RangeStart.Value, RangeEnd.Value);
        Assert.Equal(TimeSpan.FromHours(1), SingleIa(reply).Addresses[0].ValidLifetime);
        Assert.Equal(TimeSpan.FromMinutes(30), SingleIa(reply).T1);
        var held = Assert.Single(harness.Leases.All);
        Assert.Equal((Client, 1u, address, Ipv6LeaseState.Offered), (held.Duid, held.Iaid, held.Address, held.State));
        Assert.Equal(harness.Now + Dhcp6Responder.AdvertiseHold, held.Expires);
    }

    [Fact]
    public void Advertise_carries_preference_255_when_authoritative_and_0_otherwise()
    {
        var authoritative = Reply(new Dhcp6Harness().Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1))));
        var modest = Reply(new Dhcp6Harness("dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h").Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1))));

        Assert.Equal((byte)255, authoritative.Options.Preference);
        Assert.Equal((byte)0, modest.Options.Preference);
    }

    [Fact]
    public void Solicit_with_rapid_commit_gets_a_reply_with_option_14_and_a_bound_lease()
    {
        var harness = new Dhcp6Harness();
        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1), Dhcp6Options.RapidCommit())));

        Assert.Equal(Dhcp6MessageType.Reply, reply.Type);
        Assert.True(reply.Options.HasRapidCommit);
        var lease = Assert.Single(harness.Leases.All);
        Assert.Equal(Ipv6LeaseState.Bound, lease.State);
        Assert.Equal(AddressOf(reply, 1), lease.Address);
        Assert.Equal(harness.Now + TimeSpan.FromHours(1), lease.Expires);
    }

    [Fact]
    public void Request_binds_the_advertised_address()
    {
        var harness = new Dhcp6Harness();
        var advertised = AddressOf(Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1)))), 1);

        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Request, ClientId(), ServerId(), IaNa(1, advertised))));

        Assert.Equal(Dhcp6MessageType.Reply, reply.Type);
        Assert.Equal(advertised, AddressOf(reply, 1));
        Assert.Equal(Dhcp6Status.Success, reply.Options.StatusCode?.Code);
        Assert.Equal(Ipv6LeaseState.Bound, Assert.Single(harness.Leases.All).State);
    }

    [Fact]
    public void Request_for_an_address_of_another_link_gets_NotOnLink()
    {
        var harness = new Dhcp6Harness();
        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Request, ClientId(), ServerId(), IaNa(1, IPv6Address.Parse("2001:db8:99::5")))));

        Assert.Equal(Dhcp6Status.NotOnLink, SingleIa(reply).Status?.Code);
        Assert.Equal(Dhcp6Status.NoAddrsAvail, reply.Options.StatusCode?.Code);
        Assert.Empty(harness.Leases.All);
    }

    [Fact]
    public void Solicit_when_the_range_is_full_gets_NoAddrsAvail()
    {
        var harness = new Dhcp6Harness("dhcp-range=2001:db8:1::100,2001:db8:1::100,64,1h");
        harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1), Dhcp6Options.RapidCommit()));

        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(2))));

        Assert.Equal(Dhcp6Status.NoAddrsAvail, reply.Options.StatusCode?.Code);
        Assert.Empty(reply.Options.IdentityAssociations);
    }

    [Theory]
    [InlineData(Dhcp6MessageType.Request)]
    [InlineData(Dhcp6MessageType.Renew)]
    [InlineData(Dhcp6MessageType.Release)]
    [InlineData(Dhcp6MessageType.Decline)]
    public void Message_for_another_server_is_dropped(Dhcp6MessageType type)
    {
        var other = Duid.Enterprise(9, [9]);
        var outcome = new Dhcp6Harness().Send(Message(type, ClientId(), ServerId(other), IaNa(1, RangeStart)));

        Assert.Equal(Dhcp6DropReason.ForAnotherServer, Assert.IsType<Dhcp6Drop>(outcome.Decision).Reason);
        Assert.Empty(outcome.Changes);
    }

    [Fact]
    public void Request_without_server_id_and_solicit_with_one_are_dropped()
    {
        var harness = new Dhcp6Harness();
        Assert.Equal(Dhcp6DropReason.Malformed, Assert.IsType<Dhcp6Drop>(harness.Send(Message(Dhcp6MessageType.Request, ClientId(), IaNa(1, RangeStart))).Decision).Reason);
        Assert.Equal(Dhcp6DropReason.Malformed, Assert.IsType<Dhcp6Drop>(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), ServerId(), IaNa(1))).Decision).Reason);
    }

    [Theory]
    [InlineData(Dhcp6MessageType.Renew)]
    [InlineData(Dhcp6MessageType.Rebind)]
    public void Renew_and_rebind_extend_the_binding(Dhcp6MessageType type)
    {
        var harness = new Dhcp6Harness();
        var address = AddressOf(Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1), Dhcp6Options.RapidCommit()))), 1);
        harness.Now += TimeSpan.FromMinutes(40);

        Dhcp6Option[] options = type == Dhcp6MessageType.Renew ? [ClientId(), ServerId(), IaNa(1, address)] : [ClientId(), IaNa(1, address)];
        var reply = Reply(harness.Send(Message(type, options)));

        Assert.Equal(TimeSpan.FromHours(1), SingleIa(reply).Addresses.Single().ValidLifetime);
        Assert.Equal(harness.Now + TimeSpan.FromHours(1), Assert.Single(harness.Leases.All).Expires);
    }

    [Fact]
    public void Renew_without_a_binding_gets_NoBinding()
    {
        var harness = new Dhcp6Harness();
        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Renew, ClientId(), ServerId(), IaNa(1, RangeStart))));

        Assert.Equal(Dhcp6Status.NoBinding, SingleIa(reply).Status?.Code);
        Assert.Empty(harness.Leases.All);
    }

    [Fact]
    public void Rebind_of_an_address_off_this_link_returns_it_with_zero_lifetimes()
    {
        var harness = new Dhcp6Harness();
        var foreign = IPv6Address.Parse("2001:db8:99::5");
        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Rebind, ClientId(), IaNa(1, foreign))));

        var address = Assert.Single(SingleIa(reply).Addresses);
        Assert.Equal((foreign, TimeSpan.Zero, TimeSpan.Zero), (address.Address, address.PreferredLifetime, address.ValidLifetime));
    }

    [Fact]
    public void Release_frees_the_lease_and_replies_success()
    {
        var harness = new Dhcp6Harness();
        var address = AddressOf(Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1), Dhcp6Options.RapidCommit()))), 1);

        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Release, ClientId(), ServerId(), IaNa(1, address))));

        Assert.Equal(Dhcp6Status.Success, reply.Options.StatusCode?.Code);
        Assert.Empty(harness.Leases.All);
    }

    [Fact]
    public void Release_of_an_unknown_binding_gets_NoBinding_in_the_ia()
    {
        var reply = Reply(new Dhcp6Harness().Send(Message(Dhcp6MessageType.Release, ClientId(), ServerId(), IaNa(1, RangeStart))));

        Assert.Equal(Dhcp6Status.NoBinding, SingleIa(reply).Status?.Code);
    }

    [Fact]
    public void Decline_quarantines_the_address_so_the_next_solicit_gets_another()
    {
        var harness = new Dhcp6Harness();
        var address = AddressOf(Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1), Dhcp6Options.RapidCommit()))), 1);

        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Decline, ClientId(), ServerId(), IaNa(1, address))));
        var next = AddressOf(Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1)))), 1);

        Assert.Equal(Dhcp6Status.Success, reply.Options.StatusCode?.Code);
        Assert.Equal(Ipv6LeaseState.Declined, harness.Leases.ByAddress(address)!.State);
        Assert.NotEqual(address, next);
    }

    [Fact]
    public void Confirm_answers_success_on_link_and_NotOnLink_off_link()
    {
        var harness = new Dhcp6Harness();
        var onLink = Reply(harness.Send(Message(Dhcp6MessageType.Confirm, ClientId(), IaNa(1, IPv6Address.Parse("2001:db8:1::150")))));
        var offLink = Reply(harness.Send(Message(Dhcp6MessageType.Confirm, ClientId(), IaNa(1, IPv6Address.Parse("2001:db8:2::150")))));

        Assert.Equal(Dhcp6Status.Success, onLink.Options.StatusCode?.Code);
        Assert.Equal(Dhcp6Status.NotOnLink, offLink.Options.StatusCode?.Code);
    }

    [Fact]
    public void Information_request_gets_options_only()
    {
        var harness = new Dhcp6Harness("dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h\ndhcp-option=option6:dns-server,[::]");
        var reply = Reply(harness.Send(Message(Dhcp6MessageType.InformationRequest, ClientId())));

        Assert.Equal(Dhcp6MessageType.Reply, reply.Type);
        Assert.Empty(reply.Options.IdentityAssociations);
        Assert.Equal(ServerAddress, Assert.Single(reply.Options.DnsServers));
        Assert.Empty(harness.Leases.All);
    }

    [Fact]
    public void Three_uefi_clients_sharing_one_duid_get_three_addresses_and_their_own_boot_url()
    {
        var harness = new Dhcp6Harness();
        // EDK2: the IPv6 stack (Ip6Dxe), PXE (UefiPxeBcDxe) and HTTP Boot (HttpBootDxe) each solicit with their own IAID.
        var stack = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(0x0100))));
        var pxe = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(0x0200),
            Oro(Dhcp6OptionCode.BootfileUrl, Dhcp6OptionCode.BootfileParam), Dhcp6Options.ClientArchitectures(7),
            VendorClass(343, "PXEClient:Arch:00007:UNDI:003016"))));
        var http = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(0x0300),
            Oro(Dhcp6OptionCode.BootfileUrl, Dhcp6OptionCode.VendorClass), Dhcp6Options.ClientArchitectures(16),
            VendorClass(343, "HTTPClient:Arch:00016:UNDI:003016"))));

        IPv6Address[] addresses = [AddressOf(stack, 0x0100), AddressOf(pxe, 0x0200), AddressOf(http, 0x0300)];
        Assert.Equal(3, addresses.Distinct().Count());
        Assert.Null(stack.Options.BootfileUrl);
        Assert.Equal("tftp://[2001:db8:1::1]/snp.efi", pxe.Options.BootfileUrl);
        Assert.Equal("http://[2001:db8:1::1]/boot/shim.efi", http.Options.BootfileUrl);
        var echoed = Assert.Single(http.Options.VendorClasses);
        Assert.Equal("HTTPClient"u8.ToArray(), Assert.Single(echoed.Items).ToArray());
        Assert.Empty(pxe.Options.VendorClasses);
        Assert.Equal(3, harness.Leases.All.Count(l => l.Duid == Client && l.State == Ipv6LeaseState.Offered));
    }

    [Fact]
    public void Two_iaids_in_one_solicit_get_different_addresses()
    {
        var harness = new Dhcp6Harness();
        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1), IaNa(2))));

        Assert.NotEqual(AddressOf(reply, 1), AddressOf(reply, 2));
        Assert.Equal(2, harness.Leases.Count);
    }

    [Fact]
    public void Solicit_again_gets_the_same_address()
    {
        var harness = new Dhcp6Harness();
        var first = AddressOf(Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(7)))), 7);
        var second = AddressOf(Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(7)))), 7);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Boot_url_is_not_sent_when_the_option_request_does_not_ask_for_it()
    {
        var harness = new Dhcp6Harness();
        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1),
            Oro(Dhcp6OptionCode.DnsServers), Dhcp6Options.ClientArchitectures(16))));

        Assert.Null(reply.Options.BootfileUrl);
    }

    [Fact]
    public void Relayed_solicit_is_answered_in_relay_repl_with_the_interface_id_echoed()
    {
        var harness = new Dhcp6Harness();
        var peer = IPv6Address.Parse("fe80::5054:ff:fe00:1");
        var relayed = new Dhcp6RelayMessage
        {
            HopCount = 0,
            LinkAddress = IPv6Address.Parse("2001:db8:1::fe"),
            PeerAddress = peer,
            Options = new Dhcp6OptionList([Dhcp6Option.Create(Dhcp6OptionCode.InterfaceId, "ge-0/0/1"u8)]),
            Relayed = Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1)),
        };

        var reply = Assert.IsType<Dhcp6RelayMessage>(Assert.IsType<Dhcp6Send>(harness.Send(relayed).Decision).Reply);

        Assert.Equal(Dhcp6MessageType.RelayReply, reply.Type);
        Assert.Equal((relayed.HopCount, relayed.LinkAddress, peer), (reply.HopCount, reply.LinkAddress, reply.PeerAddress));
        Assert.Equal("ge-0/0/1"u8.ToArray(), reply.Options.InterfaceId!.Value.ToArray());
        var inner = Assert.IsType<Dhcp6Message>(reply.Relayed);
        Assert.Equal(Dhcp6MessageType.Advertise, inner.Type);
        Assert.InRange(AddressOf(inner, 1).Value, RangeStart.Value, RangeEnd.Value);
    }

    [Fact]
    public void Relayed_solicit_from_a_link_with_no_range_is_dropped()
    {
        var harness = new Dhcp6Harness();
        var relayed = new Dhcp6RelayMessage
        {
            LinkAddress = IPv6Address.Parse("2001:db8:77::fe"),
            PeerAddress = IPv6Address.Parse("fe80::1"),
            Relayed = Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1)),
        };

        Assert.Equal(Dhcp6DropReason.NoMatchingRange, Assert.IsType<Dhcp6Drop>(harness.Send(relayed).Decision).Reason);
    }

    [Fact]
    public void Constructor_range_takes_the_interface_prefix()
    {
        var harness = new Dhcp6Harness("dhcp-range=::100,::1ff,constructor:eth0,64,1h");
        harness.Link = harness.Link with
        {
            Ranges = [Dhcp6LinkRange.Constructed(harness.Config.Ipv6.Ranges.Single(), IPv6Address.Parse("2001:db8:5::1"))],
        };

        var address = AddressOf(Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1)))), 1);

        Assert.InRange(address.Value, IPv6Address.Parse("2001:db8:5::100").Value, IPv6Address.Parse("2001:db8:5::1ff").Value);
    }

    [Fact]
    public void Renew_of_an_address_only_advertised_gets_NoBinding()
    {
        var harness = new Dhcp6Harness();
        var advertised = AddressOf(Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1)))), 1);

        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Renew, ClientId(), ServerId(), IaNa(1, advertised))));

        Assert.Equal(Dhcp6Status.NoBinding, SingleIa(reply).Status?.Code);
        Assert.Equal(Ipv6LeaseState.Offered, Assert.Single(harness.Leases.All).State);
    }

    [Fact]
    public void Solicit_on_a_stateless_only_link_is_not_answered()
    {
        var harness = new Dhcp6Harness("dhcp-range=2001:db8:1::,ra-stateless");

        var outcome = harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1)));

        Assert.Equal(Dhcp6DropReason.NoMatchingRange, Assert.IsType<Dhcp6Drop>(outcome.Decision).Reason);
    }

    [Fact]
    public void Http_client_without_a_boot_url_gets_no_vendor_class_echo()
    {
        var harness = new Dhcp6Harness("dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h");

        var reply = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1), VendorClass(343, "HTTPClient:Arch:00016"))));

        Assert.Empty(reply.Options.VendorClasses);
        Assert.Null(reply.Options.BootfileUrl);
    }

    [Fact]
    public void Information_request_for_another_server_is_dropped()
    {
        var outcome = new Dhcp6Harness().Send(Message(Dhcp6MessageType.InformationRequest, ClientId(), ServerId(Duid.Enterprise(9, [9]))));

        Assert.Equal(Dhcp6DropReason.ForAnotherServer, Assert.IsType<Dhcp6Drop>(outcome.Decision).Reason);
    }

    [Fact]
    public void Solicit_through_two_relays_is_answered_through_both_with_each_interface_id()
    {
        var harness = new Dhcp6Harness();
        var near = new Dhcp6RelayMessage
        {
            HopCount = 0,
            LinkAddress = IPv6Address.Parse("2001:db8:1::fe"),
            PeerAddress = IPv6Address.Parse("fe80::5054:ff:fe00:1"),
            Options = new Dhcp6OptionList([Dhcp6Option.Create(Dhcp6OptionCode.InterfaceId, "near"u8)]),
            Relayed = Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1)),
        };
        var far = new Dhcp6RelayMessage
        {
            HopCount = 1,
            LinkAddress = IPv6Address.Parse("2001:db8:ff::1"),
            PeerAddress = IPv6Address.Parse("2001:db8:1::fe"),
            Options = new Dhcp6OptionList([Dhcp6Option.Create(Dhcp6OptionCode.InterfaceId, "far"u8)]),
            Relayed = near,
        };

        var outer = Assert.IsType<Dhcp6RelayMessage>(Assert.IsType<Dhcp6Send>(harness.Send(far).Decision).Reply);
        var inner = Assert.IsType<Dhcp6RelayMessage>(outer.Relayed);

        Assert.Equal((1, "far"), (outer.HopCount, System.Text.Encoding.ASCII.GetString(outer.Options.InterfaceId!.Value.AsSpan())));
        Assert.Equal((0, "near"), (inner.HopCount, System.Text.Encoding.ASCII.GetString(inner.Options.InterfaceId!.Value.AsSpan())));
        Assert.Equal(Dhcp6MessageType.Advertise, Assert.IsType<Dhcp6Message>(inner.Relayed).Type);
    }

    /// <summary>The chain firmware → iPXE over IPv6: iPXE solicits with user class "iPXE" (option 15) and, tagged by
    /// dhcp-userclass, gets the script URL instead of the iPXE binary it runs already (found by the OVMF IPv6 lab).</summary>
    [Fact]
    public void Dhcp_userclass_tags_ipxe_by_option_15_and_tag_if_runs_after_it()
    {
        var harness = new Dhcp6Harness("""
            dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h
            dhcp-userclass=set:ipxe,iPXE
            tag-if=set:chained,tag:ipxe
            dhcp-option=tag:!ipxe,option6:bootfile-url,tftp://[::]/ipxe.efi
            dhcp-option=tag:chained,option6:bootfile-url,http://[::]/boot.ipxe
            """);
        // RFC 8415 §21.15: items of a 2-byte length and data.
        var userClass = Dhcp6Option.Create(Dhcp6OptionCode.UserClass, [0, 4, .. "iPXE"u8]);
        var ipxe = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1), Oro(Dhcp6OptionCode.BootfileUrl), userClass)));
        var firmware = Reply(harness.Send(Message(Dhcp6MessageType.Solicit, ClientId(Duid.LinkLayer(HardwareAddress.Ethernet([0x52, 0x54, 0, 0, 0, 9]))), IaNa(1), Oro(Dhcp6OptionCode.BootfileUrl))));

        Assert.Equal("http://[2001:db8:1::1]/boot.ipxe", ipxe.Options.BootfileUrl);
        Assert.Equal("tftp://[2001:db8:1::1]/ipxe.efi", firmware.Options.BootfileUrl);
    }

    [Theory]
    [InlineData(new byte[] { 0, 4, (byte)'i', (byte)'P', (byte)'X', (byte)'E' }, true)]
    [InlineData(new byte[] { 0, 2, (byte)'i', (byte)'P', 0, 2, (byte)'X', (byte)'E' }, false)] // never across items
    [InlineData(new byte[] { 0, 9, (byte)'i', (byte)'P', (byte)'X', (byte)'E' }, false)] // a length past the end
    [InlineData(new byte[] { 0, 0, 0, 4, (byte)'i', (byte)'P', (byte)'X', (byte)'E' }, true)]
    public void User_class_text_matches_inside_one_item_only(byte[] option, bool matches) =>
        Assert.Equal(matches, Dhcp6Classifier.UserClassMatches("iPXE"u8, option));
}
