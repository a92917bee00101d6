using System.Buffers.Binary;
using System.Collections.Immutable;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Tests.Dhcp;

public sealed class DhcpMessageEncoderTests
{
    private static readonly HardwareAddress Client = HardwareAddress.Ethernet(FrameBuilder.ClientMac);

    private static DhcpMessage Offer(params DhcpOption[] extra) =>
        DhcpMessage.CreateRequest(DhcpMessageType.Offer, Client, 0x11223344) with
        {
            Operation = BootOperation.BootReply,
            Options = new DhcpOptionList(
            [
                DhcpOption.Create(DhcpOptionCode.DhcpMessageType, [(byte)DhcpMessageType.Offer]),
                DhcpOption.Create(DhcpOptionCode.ServerIdentifier, [192, 0, 2, 1]),
                .. extra,
            ]),
        };

    private static DhcpOption Filler(DhcpOptionCode code, int length) =>
        DhcpOption.Create(code, Enumerable.Range(0, length).Select(i => (byte)(i + (int)code)).ToArray());

    private static DhcpMessage RoundTrip(byte[] bytes)
    {
        Assert.True(DhcpMessageDecoder.TryDecode(bytes, out var message, out var error), error.ToString());
        return message;
    }

    [Fact]
    public void Default_options_mean_576_maximum_and_300_minimum()
    {
        var small = DhcpMessageEncoder.Encode(Offer(), default);
        var big = DhcpMessageEncoder.Encode(Offer(Filler(DhcpOptionCode.UserClass, 255), Filler(DhcpOptionCode.VendorSpecificInformation, 255)), default, out var dropped);

        Assert.Equal(300, small.Length);
        Assert.True(big.Length <= 576);
        Assert.Equal([DhcpOptionCode.VendorSpecificInformation], dropped);
    }

    [Fact]
    public void Header_cookie_options_end_and_zero_padding_are_laid_out_per_rfc_2131()
    {
        var message = Offer(DhcpOption.Create(DhcpOptionCode.HostName, "pc"u8)) with
        {
            Hops = 2,
            SecondsElapsed = 7,
            Flags = 0x8000,
            ClientAddress = IPv4Address.Parse("10.0.0.1"),
            YourAddress = IPv4Address.Parse("10.0.0.2"),
            ServerAddress = IPv4Address.Parse("10.0.0.3"),
            RelayAgentAddress = IPv4Address.Parse("10.0.0.4"),
            ServerName = "srv",
            BootFileName = "boot.ipxe",
        };

        var bytes = DhcpMessageEncoder.Encode(message);

        Assert.Equal(300, bytes.Length);
        Assert.Equal([2, 1, 6, 2, 0x11, 0x22, 0x33, 0x44, 0, 7, 0x80, 0, 10, 0, 0, 1, 10, 0, 0, 2, 10, 0, 0, 3, 10, 0, 0, 4], bytes[..28]);
        Assert.Equal(FrameBuilder.ClientMac, bytes[28..34]);
        Assert.Equal("srv\0"u8.ToArray(), bytes[44..48]);
        Assert.Equal("boot.ipxe\0"u8.ToArray(), bytes[108..118]);
        Assert.Equal(DhcpMessage.MagicCookie, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(236)));
        Assert.Equal([53, 1, 2, 54, 4, 192, 0, 2, 1, 12, 2, (byte)'p', (byte)'c', 255], bytes[240..254]);
        Assert.All(bytes[254..], b => Assert.Equal(0, b));
        Assert.Equal(message, RoundTrip(bytes));
    }

    [Theory]
    [InlineData(0, 300)]
    [InlineData(250, 250)]
    [InlineData(400, 400)]
    public void Short_messages_are_padded_to_the_minimum_length(int minimum, int expected) =>
        Assert.Equal(expected, DhcpMessageEncoder.Encode(Offer(), new DhcpEncodeOptions(0, false, minimum)).Length);

    [Fact]
    public void Message_longer_than_the_minimum_is_not_padded()
    {
        var bytes = DhcpMessageEncoder.Encode(Offer(Filler(DhcpOptionCode.UserClass, 100)));

        Assert.Equal(240 + 3 + 6 + 102 + 1, bytes.Length);
        Assert.Equal(255, bytes[^1]);
    }

    [Fact]
    public void Plain_bootp_has_no_cookie_and_reports_options_as_dropped()
    {
        var message = Offer() with { HasMagicCookie = false, Options = DhcpOptionList.Empty.With(DhcpOptionCode.HostName, "x"u8) };

        var bytes = DhcpMessageEncoder.Encode(message, default, out var dropped);

        Assert.Equal(300, bytes.Length);
        Assert.All(bytes[236..], b => Assert.Equal(0, b));
        Assert.Equal([DhcpOptionCode.HostName], dropped);
        Assert.Equal(message with { Options = DhcpOptionList.Empty }, RoundTrip(bytes));
    }

    [Fact]
    public void Option_longer_than_255_bytes_becomes_consecutive_instances_and_decodes_whole()
    {
        var longOption = Filler(DhcpOptionCode.VendorSpecificInformation, 600);
        var message = Offer(longOption, DhcpOption.Create(DhcpOptionCode.HostName, "pc"u8));

        var bytes = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(1500, false, 300));

        // 240 cookie | 53 (3) | 54 (6) | 43×255 | 43×255 | 43×90 | 12
        Assert.Equal([43, 255], bytes[249..251]);
        Assert.Equal([43, 255], bytes[(251 + 255)..(253 + 255)]);
        Assert.Equal([43, 90], bytes[(253 + 510)..(255 + 510)]);
        Assert.Equal(12, bytes[255 + 600]);
        Assert.Equal(message, RoundTrip(bytes));
    }

    [Fact]
    public void Empty_option_is_written_with_length_zero()
    {
        var message = Offer(DhcpOption.Create(DhcpOptionCode.RapidCommit, []));

        var bytes = DhcpMessageEncoder.Encode(message);

        Assert.Equal([80, 0, 255], bytes[249..252]);
        Assert.Equal(message, RoundTrip(bytes));
    }

    [Fact]
    public void Options_that_do_not_fit_spill_into_file_first_with_option_52_placed_first()
    {
        // 576 − 240 − 3 (52) − 9 (53, 54) − 1 (END) = 323 bytes left in the options area.
        var message = Offer(Filler(DhcpOptionCode.UserClass, 250), Filler(DhcpOptionCode.RootPath, 100), Filler(DhcpOptionCode.DomainName, 20));

        var bytes = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(576, AllowOverload: true, 300), out var dropped);

        Assert.Empty(dropped);
        Assert.Equal([52, 1, 1], bytes[240..243]);
        Assert.Equal((byte)DhcpOptionCode.RootPath, bytes[108]);
        Assert.Equal((byte)DhcpOptionCode.DomainName, bytes[108 + 102]);
        Assert.Equal((byte)DhcpOptionCode.End, bytes[108 + 102 + 22]);
        Assert.Equal(0, bytes[44]);
        Assert.Equal(message, RoundTrip(bytes));
    }

    [Fact]
    public void Options_spill_into_sname_when_file_is_full()
    {
        var message = Offer(Filler(DhcpOptionCode.UserClass, 250), Filler(DhcpOptionCode.RootPath, 100), Filler(DhcpOptionCode.DomainName, 20),
            Filler(DhcpOptionCode.NisDomain, 40));

        var bytes = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(576, AllowOverload: true, 300), out var dropped);

        Assert.Empty(dropped);
        Assert.Equal([52, 1, 3], bytes[240..243]);
        Assert.Equal((byte)DhcpOptionCode.NisDomain, bytes[44]);
        Assert.Equal((byte)DhcpOptionCode.End, bytes[44 + 42]);
        Assert.Equal(message, RoundTrip(bytes));
    }

    [Fact]
    public void Overload_is_not_used_when_it_is_not_needed()
    {
        var bytes = DhcpMessageEncoder.Encode(Offer(Filler(DhcpOptionCode.UserClass, 250)), new DhcpEncodeOptions(576, AllowOverload: true, 300));

        Assert.Equal([53, 1, 2], bytes[240..243]);
    }

    [Fact]
    public void Overload_is_not_used_when_file_or_sname_carry_names_and_options_are_dropped_from_the_end_instead()
    {
        var message = Offer(Filler(DhcpOptionCode.UserClass, 250), Filler(DhcpOptionCode.RootPath, 100), Filler(DhcpOptionCode.DomainName, 10))
            with { BootFileName = "pxelinux.0" };

        var bytes = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(576, AllowOverload: true, 300), out var dropped);

        // Strictly from the end: DomainName would fit once RootPath is gone, but list order is the responder's priority.
        Assert.Equal([DhcpOptionCode.RootPath, DhcpOptionCode.DomainName], dropped);
        var decoded = RoundTrip(bytes);
        Assert.Equal("pxelinux.0", decoded.BootFileName);
        Assert.Equal([DhcpOptionCode.DhcpMessageType, DhcpOptionCode.ServerIdentifier, DhcpOptionCode.UserClass],
            decoded.Options.Select(o => o.Code));
    }

    [Fact]
    public void Dropping_starts_from_the_end_and_never_takes_53_or_54()
    {
        var message = DhcpMessage.CreateRequest(DhcpMessageType.Offer, Client, 1) with
        {
            Options = new DhcpOptionList(
            [
                Filler(DhcpOptionCode.UserClass, 250),
                Filler(DhcpOptionCode.RootPath, 100),
                DhcpOption.Create(DhcpOptionCode.DhcpMessageType, [2]),
                Filler(DhcpOptionCode.DomainName, 100),
                DhcpOption.Create(DhcpOptionCode.ServerIdentifier, [192, 0, 2, 1]),
            ]),
        };

        var bytes = DhcpMessageEncoder.Encode(message, default, out var dropped);

        Assert.Equal([DhcpOptionCode.RootPath, DhcpOptionCode.DomainName], dropped);
        Assert.Equal([DhcpOptionCode.UserClass, DhcpOptionCode.DhcpMessageType, DhcpOptionCode.ServerIdentifier],
            RoundTrip(bytes).Options.Select(o => o.Code));
    }

    [Fact]
    public void Larger_maximum_from_option_57_is_used()
    {
        var message = Offer(Filler(DhcpOptionCode.UserClass, 255), Filler(DhcpOptionCode.RootPath, 255), Filler(DhcpOptionCode.DomainName, 255));

        var bytes = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(1500, false, 300), out var dropped);

        Assert.Empty(dropped);
        Assert.Equal(message, RoundTrip(bytes));
    }

    [Fact]
    public void Option_52_in_the_list_is_ignored_and_pad_or_end_are_reported()
    {
        var message = Offer(DhcpOption.Create(DhcpOptionCode.OptionOverload, [3]), DhcpOption.Create(DhcpOptionCode.Pad, [1]));

        var bytes = DhcpMessageEncoder.Encode(message, default, out var dropped);

        Assert.Equal([DhcpOptionCode.Pad], dropped);
        Assert.Equal([DhcpOptionCode.DhcpMessageType, DhcpOptionCode.ServerIdentifier], RoundTrip(bytes).Options.Select(o => o.Code));
    }

    [Theory]
    [InlineData(63, 63)]
    [InlineData(64, 63)]
    [InlineData(500, 63)]
    public void Server_name_is_always_nul_terminated_and_cut_to_63(int length, int kept)
    {
        var bytes = DhcpMessageEncoder.Encode(Offer() with { ServerName = new string('s', length) });

        Assert.Equal(0, bytes[44 + kept]);
        Assert.Equal(new string('s', kept), RoundTrip(bytes).ServerName);
    }

    [Theory]
    [InlineData(127, 127)]
    [InlineData(128, 127)]
    [InlineData(1000, 127)]
    public void Boot_file_is_always_nul_terminated_and_cut_to_127(int length, int kept)
    {
        var bytes = DhcpMessageEncoder.Encode(Offer() with { BootFileName = new string('f', length) });

        Assert.Equal(0, bytes[108 + kept]);
        Assert.Equal(new string('f', kept), RoundTrip(bytes).BootFileName);
    }

    [Fact]
    public void Names_are_written_as_latin1()
    {
        var bytes = DhcpMessageEncoder.Encode(Offer() with { BootFileName = "café/€" });

        Assert.Equal("café/?", RoundTrip(bytes).BootFileName);
    }

    [Fact]
    public void Span_overload_writes_the_same_bytes_over_a_dirty_buffer_and_allocates_nothing()
    {
        var message = Offer(Filler(DhcpOptionCode.UserClass, 300), DhcpOption.Create(DhcpOptionCode.HostName, "pc"u8)) with { BootFileName = "boot.ipxe" };
        var expected = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(1500, false, 300));
        var buffer = new byte[1500];
        DhcpMessageEncoder.Encode(message, buffer, new DhcpEncodeOptions(1500, false, 300), out _);
        buffer.AsSpan().Fill(0xAA);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var length = DhcpMessageEncoder.Encode(message, buffer, new DhcpEncodeOptions(1500, false, 300), out var dropped);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(expected, buffer[..length]);
        Assert.Empty(dropped);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Destination_shorter_than_300_bytes_is_a_programming_error() =>
        Assert.Throws<ArgumentException>(() => DhcpMessageEncoder.Encode(Offer(), new byte[299], default, out _));

    [Fact]
    public void Destination_shorter_than_the_maximum_limits_the_message()
    {
        var message = Offer(Filler(DhcpOptionCode.UserClass, 100), Filler(DhcpOptionCode.RootPath, 200));
        var buffer = new byte[400];

        var length = DhcpMessageEncoder.Encode(message, buffer, new DhcpEncodeOptions(1500, false, 300), out var dropped);

        Assert.True(length <= 400);
        Assert.Equal([DhcpOptionCode.RootPath], dropped);
    }

    [Fact]
    public void Chaddr_field_shorter_than_16_bytes_is_zero_filled()
    {
        var message = Offer() with { ClientHardwareAddressField = ImmutableArray.Create<byte>(1, 2, 3) };

        var bytes = DhcpMessageEncoder.Encode(message);

        Assert.Equal([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], bytes[28..44]);
    }
}
