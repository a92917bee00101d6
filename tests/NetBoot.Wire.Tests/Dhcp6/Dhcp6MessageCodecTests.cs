using System.Text;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Tests.Dhcp6;

public sealed class Dhcp6MessageCodecTests
{
    // OVMF's PXEv6 SOLICIT from testdata/lab/uefi-edk2-full (frame 106), written out: client-id DUID-LLT, elapsed 0,
    // IA_NA, ORO 59 60 23 16, NII 1.3.1 ... as sent.
    private static readonly byte[] UefiSolicit = Convert.FromHexString(
        "01b89bcc" + "0001000e0001000131e00bd6525400c0ff02" + "000800020000" + "0003000cc192feffffffffffffffffff"
        + "00060008003b003c00170010" + "003e0003010300" + "003d00020007"
        + "0010002600000157" + "0020" + Convert.ToHexString(Encoding.ASCII.GetBytes("PXEClient:Arch:00007:UNDI:003000")));

    private static Dhcp6Packet Decode(byte[] bytes)
    {
        Assert.True(Dhcp6MessageDecoder.TryDecode(bytes, out var packet, out var error), error.ToString());
        return packet;
    }

    private static Dhcp6DecodeError Reject(byte[] bytes)
    {
        Assert.False(Dhcp6MessageDecoder.TryDecode(bytes, out var packet, out var error));
        Assert.Null(packet);
        return error;
    }

    [Fact]
    public void Uefi_solicit_decodes_every_boot_option()
    {
        var message = Assert.IsType<Dhcp6Message>(Decode(UefiSolicit));

        Assert.Equal(Dhcp6MessageType.Solicit, message.Type);
        Assert.Equal(0xb89bccu, message.TransactionId);
        var duid = message.Options.ClientId!.Value;
        Assert.Equal(DuidType.LinkLayerPlusTime, duid.Type);
        Assert.True(duid.TryGetLinkLayerAddress(out var mac));
        Assert.Equal("52:54:00:c0:ff:02", mac.ToString());
        Assert.Equal(TimeSpan.Zero, message.Options.ElapsedTime);
        var ia = Assert.Single(message.Options.IdentityAssociations);
        Assert.Equal(0xc192feffu, ia.Iaid);
        Assert.Equal(Dhcp6Lifetime.Infinite, ia.T1);
        Assert.Empty(ia.Addresses);
        Assert.Equal(
            [Dhcp6OptionCode.BootfileUrl, Dhcp6OptionCode.BootfileParam, Dhcp6OptionCode.DnsServers, Dhcp6OptionCode.VendorClass],
            message.Options.OptionRequests.ToArray());
        Assert.Equal(new Dhcp6NetworkInterface(1, 3, 0), message.Options.NetworkInterface);
        Assert.Equal([(ushort)7], message.Options.ClientArchitectures.ToArray());
        var vendor = Assert.Single(message.Options.VendorClasses);
        Assert.Equal(343u, vendor.EnterpriseNumber);
        Assert.Equal("PXEClient:Arch:00007:UNDI:003000", Encoding.ASCII.GetString(Assert.Single(vendor.Items).AsSpan()));
    }

    [Fact]
    public void Decode_then_encode_gives_the_same_bytes_for_a_client_message() =>
        Assert.Equal(UefiSolicit, Dhcp6MessageEncoder.Encode(Decode(UefiSolicit)));

    [Fact]
    public void Reply_built_from_typed_values_decodes_to_the_same_values()
    {
        var serverId = Duid.Enterprise(43_793, [1, 2, 3, 4]);
        var address = new Dhcp6IaAddress(IPv6Address.TryParse("2001:db8::5", out var a) ? a : default, TimeSpan.FromHours(1), TimeSpan.FromHours(2),
            Dhcp6OptionList.Empty.Add(new Dhcp6StatusCode(Dhcp6Status.Success, "ok").ToOption()));
        var reply = new Dhcp6Message
        {
            Type = Dhcp6MessageType.Reply,
            TransactionId = 0x123456,
            Options = new Dhcp6OptionList(
            [
                serverId.ToOption(Dhcp6OptionCode.ServerId),
                new Dhcp6IaNa(9, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(48), Dhcp6OptionList.Empty.Add(address.ToOption())).ToOption(),
                Dhcp6Options.BootfileUrl("tftp://[2001:db8::1]/ipxe.efi"),
                Dhcp6OpaqueItems.BootfileParameters(["console=ttyS0", "ip=dhcp"]),
                Dhcp6Options.Addresses(Dhcp6OptionCode.DnsServers, [a]),
                Dhcp6Options.Preference(255),
                Dhcp6Options.RapidCommit(),
                new Dhcp6VendorOptions(343, Dhcp6OptionList.Empty.Add(Dhcp6Option.Create((Dhcp6OptionCode)1, [7]))).ToOption(),
            ]),
        };

        var buffer = new byte[512];
        Assert.True(Dhcp6MessageEncoder.TryEncode(reply, buffer, out var written));
        var decoded = Assert.IsType<Dhcp6Message>(Decode(buffer[..written]));

        Assert.Equal(reply, decoded);
        Assert.Equal(serverId, decoded.Options.ServerId);
        Assert.True(decoded.Options.ServerId!.Value.TryGetEnterprise(out var enterprise, out _));
        Assert.Equal(43_793u, enterprise);
        var ia = Assert.Single(decoded.Options.IdentityAssociations);
        Assert.Equal((9u, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(48)), (ia.Iaid, ia.T1, ia.T2));
        var leased = Assert.Single(ia.Addresses);
        Assert.Equal("2001:db8::5", leased.Address.ToString());
        Assert.Equal(TimeSpan.FromHours(2), leased.ValidLifetime);
        Assert.Equal(new Dhcp6StatusCode(Dhcp6Status.Success, "ok"), leased.Status);
        Assert.Equal("tftp://[2001:db8::1]/ipxe.efi", decoded.Options.BootfileUrl);
        Assert.Equal(["console=ttyS0", "ip=dhcp"], decoded.Options.BootfileParameters.ToArray());
        Assert.Equal([a], decoded.Options.DnsServers.ToArray());
        Assert.Equal((byte)255, decoded.Options.Preference);
        Assert.True(decoded.Options.HasRapidCommit);
        Assert.Equal(343u, Assert.Single(decoded.Options.VendorOptions).EnterpriseNumber);
    }

    [Fact]
    public void Encoder_refuses_a_buffer_that_is_too_small_without_writing_past_it()
    {
        var message = Decode(UefiSolicit);
        var buffer = new byte[UefiSolicit.Length - 1];
        Assert.False(Dhcp6MessageEncoder.TryEncode(message, buffer, out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Relay_forward_exposes_link_and_peer_and_the_relayed_solicit()
    {
        var relay = RelayForward(hopCount: 1, inner: UefiSolicit, extra: "0012000465746830");

        var packet = Assert.IsType<Dhcp6RelayMessage>(Decode(relay));

        Assert.Equal(Dhcp6MessageType.RelayForward, packet.Type);
        Assert.Equal(1, packet.HopCount);
        Assert.Equal("2001:db8:1::1", packet.LinkAddress.ToString());
        Assert.Equal("fe80::5054:ff:fec0:ff02", packet.PeerAddress.ToString());
        Assert.Equal("eth0"u8.ToArray(), packet.Options.InterfaceId!.Value.ToArray());
        Assert.False(packet.Options.Contains(Dhcp6OptionCode.RelayMessage));
        Assert.Equal(0xb89bccu, packet.InnermostMessage.TransactionId);
        Assert.Equal(1, packet.Depth);
    }

    [Fact]
    public void Relay_reply_round_trips_with_the_relay_message_after_the_other_options()
    {
        var relay = RelayForward(hopCount: 0, inner: UefiSolicit, extra: "0012000465746830");
        Assert.Equal(relay, Dhcp6MessageEncoder.Encode(Decode(relay)));
    }

    [Fact]
    public void Relays_nested_to_the_bound_decode_and_one_more_is_refused()
    {
        var bytes = UefiSolicit;
        for (var i = 0; i < Dhcp6MessageDecoder.MaximumRelayDepth; i++)
        {
            bytes = RelayForward((byte)i, bytes, extra: "");
        }
        Assert.Equal(Dhcp6MessageDecoder.MaximumRelayDepth, Assert.IsType<Dhcp6RelayMessage>(Decode(bytes)).Depth);

        Assert.Equal(Dhcp6DecodeError.RelayTooDeep, Reject(RelayForward(32, bytes, extra: "")));
    }

    public static TheoryData<string, Dhcp6DecodeError> Malformed => new()
    {
        { "", Dhcp6DecodeError.TooShort },
        { "01b89b", Dhcp6DecodeError.TooShort },
        { "00000000", Dhcp6DecodeError.UnknownMessageType },
        { "01b89bcc000100", Dhcp6DecodeError.TruncatedOption },
        { "01b89bcc0001000e0001", Dhcp6DecodeError.TruncatedOption },
        { "0c00" + "20010db8000100000000000000000001", Dhcp6DecodeError.TooShort },
        { "0c00" + "20010db8000100000000000000000001" + "fe80000000000000505400fffec0ff02", Dhcp6DecodeError.MissingRelayMessage },
        { "0c00" + "20010db8000100000000000000000001" + "fe80000000000000505400fffec0ff02" + "000900040b000000" + "000900040b000000", Dhcp6DecodeError.DuplicateRelayMessage },
        { "0c00" + "20010db8000100000000000000000001" + "fe80000000000000505400fffec0ff02" + "000900020b00", Dhcp6DecodeError.TooShort },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_messages_are_refused_with_their_reason(string hex, Dhcp6DecodeError expected) =>
        Assert.Equal(expected, Reject(Convert.FromHexString(hex)));

    [Fact]
    public void Every_truncation_of_a_valid_message_is_refused_or_decodes_fewer_options()
    {
        for (var length = 0; length < UefiSolicit.Length; length++)
        {
            if (Dhcp6MessageDecoder.TryDecode(UefiSolicit.AsSpan(0, length), out var packet, out _))
            {
                Assert.True(packet.Options.Count < Decode(UefiSolicit).Options.Count);
            }
        }
    }

    [Fact]
    public void Option_count_is_bounded()
    {
        var bytes = new byte[4 + ((Dhcp6MessageDecoder.MaximumOptionCount + 1) * 4)];
        bytes[0] = 1;
        for (var i = 4; i < bytes.Length; i += 4)
        {
            bytes[i + 1] = 14;
        }
        Assert.Equal(Dhcp6DecodeError.TooManyOptions, Reject(bytes));
        Assert.True(Dhcp6MessageDecoder.TryDecode(bytes.AsSpan(0, bytes.Length - 4), out _, out _));
    }

    [Fact]
    public void Malformed_typed_values_read_as_absent_while_the_raw_option_stays()
    {
        var message = new Dhcp6Message
        {
            Options = new Dhcp6OptionList(
            [
                Dhcp6Option.Create(Dhcp6OptionCode.ClientId, [0, 4, 1]),
                Dhcp6Option.Create(Dhcp6OptionCode.IaNa, [1, 2, 3]),
                Dhcp6Option.Create(Dhcp6OptionCode.VendorClass, [0, 0, 1, 0x57, 0, 9, 1]),
                Dhcp6Option.Create(Dhcp6OptionCode.ElapsedTime, [1]),
            ]),
        };
        var decoded = Decode(Dhcp6MessageEncoder.Encode(message));

        Assert.Null(decoded.Options.ClientId);
        Assert.Empty(decoded.Options.IdentityAssociations);
        Assert.Empty(decoded.Options.VendorClasses);
        Assert.Null(decoded.Options.ElapsedTime);
        Assert.Equal(4, decoded.Options.Count);
    }

    [Theory]
    [InlineData("00:01:00:01:31:e0:0b:d6:52:54:00:c0:ff:02", DuidType.LinkLayerPlusTime)]
    [InlineData("00:02:00:00:ab:11:01:02", DuidType.EnterpriseNumber)]
    [InlineData("00:03:00:01:52:54:00:c0:ff:02", DuidType.LinkLayer)]
    [InlineData("00:04:12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0", DuidType.Uuid)]
    public void Duids_of_every_type_parse_and_print_the_same(string text, DuidType type)
    {
        Assert.True(Duid.TryParse(text, out var duid));
        Assert.Equal(type, duid.Type);
        Assert.Equal(text, duid.ToString());
    }

    [Theory]
    [InlineData("00:04:12:34")]
    [InlineData("00:01:00:01:31")]
    [InlineData("00")]
    [InlineData("00:03:zz")]
    public void Duids_too_short_for_their_type_are_refused(string text) => Assert.False(Duid.TryParse(text, out _));

    [Fact]
    public void Duid_uuid_and_llt_time_are_readable()
    {
        Assert.True(Duid.TryParse("00:04:12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0", out var uuid));
        Assert.True(uuid.TryGetUuid(out var text));
        Assert.Equal("12345678-9abc-def0-1234-56789abcdef0", text);
        var llt = Duid.LinkLayerPlusTime(HardwareAddress.Ethernet([0x52, 0x54, 0, 0xc0, 0xff, 2]), Duid.TimeEpoch.AddSeconds(1000));
        Assert.True(llt.TryGetTime(out var time));
        Assert.Equal(Duid.TimeEpoch.AddSeconds(1000), time);
    }

    [Fact]
    public void Transaction_id_is_24_bits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dhcp6Message { TransactionId = 0x1000000 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dhcp6Message { Type = Dhcp6MessageType.RelayForward });
    }

    private static byte[] RelayForward(byte hopCount, byte[] inner, string extra)
    {
        var header = Convert.FromHexString("0c" + hopCount.ToString("x2") + "20010db8000100000000000000000001" + "fe80000000000000505400fffec0ff02" + extra);
        var option = new byte[4 + inner.Length];
        option[1] = 9;
        option[2] = (byte)(inner.Length >> 8);
        option[3] = (byte)inner.Length;
        inner.CopyTo(option, 4);
        return [.. header, .. option];
    }
}
