using System.Text;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Tests.Dhcp;

public sealed class DhcpMessageDecoderTests
{
    private static DhcpMessage Decode(byte[] bytes)
    {
        Assert.True(DhcpMessageDecoder.TryDecode(bytes, out var message, out var error), error.ToString());
        return message;
    }

    private static DhcpDecodeError Reject(byte[] bytes)
    {
        Assert.False(DhcpMessageDecoder.TryDecode(bytes, out var message, out var error));
        Assert.Null(message);
        return error;
    }

    private static byte[] Text(string text) => Encoding.Latin1.GetBytes(text);

    [Fact]
    public void Fixed_header_fields_are_read_at_their_rfc_2131_offsets()
    {
        var bytes = new RawDhcpPacket()
            .Header(0, 2, 1, 6, 3)
            .Header(4, 0xde, 0xad, 0xbe, 0xef)
            .Header(8, 0, 9, 0x80, 0)
            .Header(12, 10, 0, 0, 1, 10, 0, 0, 2, 10, 0, 0, 3, 10, 0, 0, 4)
            .ServerNameField(Text("server"))
            .BootFileField(Text("pxelinux.0"))
            .Options(53, 1, 2, 255)
            .ToArray();

        var message = Decode(bytes);

        Assert.Equal(BootOperation.BootReply, message.Operation);
        Assert.Equal((1, 6, 3), (message.HardwareType, message.HardwareAddressLength, message.Hops));
        Assert.Equal(0xdeadbeefu, message.TransactionId);
        Assert.Equal(9, message.SecondsElapsed);
        Assert.True(message.IsBroadcast);
        Assert.Equal(
            ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"],
            new[] { message.ClientAddress, message.YourAddress, message.ServerAddress, message.RelayAgentAddress }.Select(a => a.ToString()));
        Assert.Equal("52:54:00:c0:ff:01", message.ClientHardwareAddress.ToString());
        Assert.Equal(16, message.ClientHardwareAddressField.Length);
        Assert.Equal("server", message.ServerName);
        Assert.Equal("pxelinux.0", message.BootFileName);
        Assert.True(message.HasMagicCookie);
        Assert.Equal(DhcpMessageType.Offer, message.MessageType);
    }

    [Fact]
    public void Names_are_latin1_cut_at_the_first_nul_and_may_fill_the_whole_field()
    {
        var sname = Enumerable.Repeat((byte)'s', 64).ToArray();
        var bytes = new RawDhcpPacket().ServerNameField(sname).BootFileField(0xe9, (byte)'t', 0, (byte)'x').Options(255).ToArray();

        var message = Decode(bytes);

        Assert.Equal(new string('s', 64), message.ServerName);
        Assert.Equal("ét", message.BootFileName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(235)]
    public void Shorter_than_the_fixed_header_is_too_short(int length) =>
        Assert.Equal(DhcpDecodeError.TooShort, Reject(new RawDhcpPacket().ToArray()[..length]));

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(255)]
    public void Operation_other_than_request_or_reply_is_refused(byte op) =>
        Assert.Equal(DhcpDecodeError.BadOperation, Reject(new RawDhcpPacket().Header(0, op).Options(255).ToArray()));

    [Fact]
    public void Hardware_address_length_over_16_is_refused() =>
        Assert.Equal(DhcpDecodeError.BadHardwareAddressLength, Reject(new RawDhcpPacket().Header(2, 17).Options(255).ToArray()));

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(64)]
    public void Header_followed_by_nothing_or_zeros_is_plain_bootp(int zeros)
    {
        var message = Decode([.. new RawDhcpPacket().WithoutCookie().ToArray(), .. new byte[zeros]]);

        Assert.False(message.HasMagicCookie);
        Assert.Empty(message.Options);
        Assert.Null(message.MessageType);
    }

    [Theory]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 99, 130, 83 })]
    [InlineData(new byte[] { 99, 130, 83, 98, 53, 1, 1, 255 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 53, 1, 1, 255 })]
    public void Other_bytes_after_the_header_are_a_bad_magic_cookie(byte[] tail) =>
        Assert.Equal(DhcpDecodeError.BadMagicCookie, Reject([.. new RawDhcpPacket().WithoutCookie().ToArray(), .. tail]));

    [Fact]
    public void Pad_is_skipped_and_bytes_after_end_are_ignored()
    {
        var message = Decode(new RawDhcpPacket().Options(0, 0, 53, 1, 1, 0, 12, 2, (byte)'p', (byte)'c', 255, 6, 4, 1, 2, 3, 4).ToArray());

        Assert.Equal([DhcpOptionCode.DhcpMessageType, DhcpOptionCode.HostName], message.Options.Select(o => o.Code));
    }

    [Fact]
    public void Missing_end_at_the_end_of_the_datagram_is_accepted()
    {
        var message = Decode(new RawDhcpPacket().Options(53, 1, 1, 0, 61, 2, 1, 2).ToArray());

        Assert.Equal([DhcpOptionCode.DhcpMessageType, DhcpOptionCode.ClientIdentifier], message.Options.Select(o => o.Code));
    }

    [Fact]
    public void Cookie_and_no_options_at_all_decodes_to_an_empty_option_list()
    {
        var message = Decode(new RawDhcpPacket().ToArray());

        Assert.True(message.HasMagicCookie);
        Assert.Empty(message.Options);
    }

    [Theory]
    [InlineData(new byte[] { 53 })]
    [InlineData(new byte[] { 53, 2, 1 })]
    [InlineData(new byte[] { 53, 1, 1, 12, 200, 1, 2, 3 })]
    public void Option_running_past_the_datagram_is_truncated(byte[] options) =>
        Assert.Equal(DhcpDecodeError.TruncatedOption, Reject(new RawDhcpPacket().Options(options).ToArray()));

    [Fact]
    public void Repeated_codes_are_concatenated_in_order_of_first_appearance()
    {
        var message = Decode(new RawDhcpPacket().Options(53, 1, 1, 43, 2, 1, 2, 12, 1, (byte)'a', 43, 1, 3, 0, 43, 0, 43, 2, 4, 5, 255).ToArray());

        Assert.Equal([DhcpOptionCode.DhcpMessageType, DhcpOptionCode.VendorSpecificInformation, DhcpOptionCode.HostName], message.Options.Select(o => o.Code));
        Assert.True(message.Options.TryGet(DhcpOptionCode.VendorSpecificInformation, out var vendor));
        Assert.Equal([1, 2, 3, 4, 5], vendor.ToArray());
    }

    [Fact]
    public void Long_option_split_in_255_byte_instances_is_joined()
    {
        var data = Enumerable.Range(0, 600).Select(i => (byte)i).ToArray();
        byte[] options = [53, 1, 1, 77, 255, .. data[..255], 77, 255, .. data[255..510], 77, 90, .. data[510..], 255];

        var message = Decode(new RawDhcpPacket().Options(options).ToArray());

        Assert.True(message.Options.TryGet(DhcpOptionCode.UserClass, out var joined));
        Assert.Equal(data, joined.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Overloaded_fields_hold_options_read_after_the_options_area_file_before_sname(byte overload)
    {
        var bytes = new RawDhcpPacket()
            .ServerNameField(56, 1, (byte)'S', 6, 4, 192, 0, 2, 53, 255)
            .BootFileField(56, 1, (byte)'F', 3, 4, 192, 0, 2, 1, 255)
            .Options(53, 1, 2, 52, 1, overload, 56, 1, (byte)'O', 255)
            .ToArray();

        var message = Decode(bytes);

        var expectedMessage = "O" + ((overload & 1) != 0 ? "F" : "") + ((overload & 2) != 0 ? "S" : "");
        Assert.True(message.Options.TryGetString(DhcpOptionCode.Message, out var text));
        Assert.Equal(expectedMessage, text);
        Assert.Equal((overload & 1) != 0, message.Options.Contains(DhcpOptionCode.Router));
        Assert.Equal((overload & 2) != 0, message.Options.Contains(DhcpOptionCode.DomainNameServer));
        Assert.False(message.Options.Contains(DhcpOptionCode.OptionOverload));
        Assert.Equal((overload & 1) != 0 ? "" : "8\u0001F\u0003\u0004À", message.BootFileName);
        Assert.Equal((overload & 2) != 0 ? "" : "8\u0001S\u0006\u0004À", message.ServerName);
    }

    [Theory]
    [InlineData(new byte[] { 52, 1, 0 })]
    [InlineData(new byte[] { 52, 1, 4 })]
    [InlineData(new byte[] { 52, 0 })]
    [InlineData(new byte[] { 52, 2, 1, 1 })]
    public void Option_overload_other_than_1_2_or_3_is_refused(byte[] overload) =>
        Assert.Equal(DhcpDecodeError.BadOverload, Reject(new RawDhcpPacket().Options([53, 1, 1, .. overload, 255]).ToArray()));

    [Fact]
    public void Option_running_past_the_overloaded_file_field_is_truncated()
    {
        var bytes = new RawDhcpPacket().BootFileField([.. new byte[120], 12, 20, 1, 2, 3, 4, 5, 6]).Options(53, 1, 1, 52, 1, 1, 255).ToArray();

        Assert.Equal(DhcpDecodeError.TruncatedOption, Reject(bytes));
    }

    [Fact]
    public void Overloaded_field_filled_to_the_last_byte_without_end_is_accepted()
    {
        byte[] sname = [12, 62, .. Enumerable.Repeat((byte)'h', 62)];
        var message = Decode(new RawDhcpPacket().ServerNameField(sname).Options(53, 1, 1, 52, 1, 2, 255).ToArray());

        Assert.True(message.Options.TryGetString(DhcpOptionCode.HostName, out var host));
        Assert.Equal(new string('h', 62), host);
    }

    [Fact]
    public void Option_overload_inside_an_overloaded_field_is_ignored()
    {
        var message = Decode(new RawDhcpPacket().BootFileField(52, 1, 3, 12, 1, (byte)'x', 255).ServerNameField(12, 1, (byte)'y', 255)
            .Options(53, 1, 1, 52, 1, 1, 255).ToArray());

        Assert.True(message.Options.TryGetString(DhcpOptionCode.HostName, out var host));
        Assert.Equal("x", host);
        Assert.Equal("\u000c\u0001y\u00ff", message.ServerName);
    }

    [Fact]
    public void Corpus_overload_both_joins_option_56_across_options_file_and_sname()
    {
        var datagram = Assert.Single(CaptureCorpus.DhcpDatagrams("testdata/pcap/dhcp/suricata-dhcp-option-52-overload-both.pcap"));

        var message = Decode(datagram.Payload.ToArray());

        // tshark: "Padding" in the options area, "file name field overload" in file, "sname field overload" in sname.
        Assert.True(message.Options.TryGetString(DhcpOptionCode.Message, out var text));
        Assert.Equal("Paddingfile name field overloadsname field overload", text);
        Assert.Equal(
            [DhcpOptionCode.DhcpMessageType, DhcpOptionCode.MaximumDhcpMessageSize, DhcpOptionCode.ParameterRequestList,
             DhcpOptionCode.IPAddressLeaseTime, DhcpOptionCode.Message, DhcpOptionCode.ClientIdentifier],
            message.Options.Select(o => o.Code));
        Assert.Equal("", message.ServerName);
        Assert.Equal("", message.BootFileName);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    public void Corpus_overload_sname_carries_dns_router_and_domain(int frame)
    {
        var datagram = CaptureCorpus.DhcpDatagram("testdata/pcap/dhcp/suricata-dhcp-option-52-overload.pcap", frame);

        var message = Decode(datagram.Payload.ToArray());

        // tshark: option 52 = 2, sname holds 6, 3, 15.
        Assert.Equal(
            [DhcpOptionCode.DhcpMessageType, DhcpOptionCode.ServerIdentifier, DhcpOptionCode.IPAddressLeaseTime, DhcpOptionCode.SubnetMask,
             DhcpOptionCode.DomainNameServer, DhcpOptionCode.Router, DhcpOptionCode.DomainName],
            message.Options.Select(o => o.Code));
        Assert.Equal("", message.ServerName);
    }

    [Fact]
    public void Corpus_control_flow_without_overload_keeps_its_server_name()
    {
        var message = Decode(CaptureCorpus.DhcpDatagram("testdata/pcap/dhcp/suricata-dhcp-option-52-overload.pcap", 3).Payload.ToArray());

        Assert.Equal("evil-pxe.attacker.local", message.ServerName);
    }

    [Fact]
    public void Corpus_bios_pxe_discover_carries_architecture_and_vendor_class()
    {
        var datagram = CaptureCorpus.DhcpDatagram("testdata/pcap/pxe/netboot-dhcp4-testdata-dhcp.pcap", 1);

        var message = Decode(datagram.Payload.ToArray());

        Assert.Equal(DhcpMessageType.Discover, message.MessageType);
        Assert.Equal([(ushort)0], message.Options.ClientArchitectures.ToArray());
        Assert.True(message.Options.TryGetString(DhcpOptionCode.VendorClassIdentifier, out var vendorClass));
        Assert.Equal("PXEClient:Arch:00000:UNDI:002001", vendorClass);
    }

    [Fact]
    public void Corpus_uefi_discover_asks_for_arch_7()
    {
        // OVMF's first DISCOVER in the lab capture (EDK2's PXE base code).
        var datagram = CaptureCorpus.DhcpDatagrams("testdata/lab/uefi-edk2-full/capture.pcap").First(d => d.DestinationPort == 67);

        var message = Decode(datagram.Payload.ToArray());

        Assert.Equal(DhcpMessageType.Discover, message.MessageType);
        Assert.Equal([(ushort)7], message.Options.ClientArchitectures.ToArray());
        Assert.True(message.Options.TryGetString(DhcpOptionCode.VendorClassIdentifier, out var vendorClass));
        Assert.Equal("PXEClient:Arch:00007:UNDI:003000", vendorClass);
        Assert.True(message.Options.TryGetUInt16(DhcpOptionCode.MaximumDhcpMessageSize, out _));
    }

    [Fact]
    public void Corpus_bootp_request_to_the_proxy_has_its_ports_and_addresses()
    {
        var reply = CaptureCorpus.DhcpDatagram("testdata/lab/bios-ipxe-proxy/capture.pcap", 15);

        var message = Decode(reply.Payload.ToArray());

        Assert.Equal(DhcpMessageType.Ack, message.MessageType);
        Assert.Equal("boot.ipxe", message.BootFileName);
        Assert.Equal(IPv4Address.Parse("192.0.2.1"), reply.Source);
    }
}
