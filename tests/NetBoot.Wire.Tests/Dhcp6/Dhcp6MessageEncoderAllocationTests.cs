using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Tests.Dhcp6;

/// <summary>The encoder is on the server's hot path: writing a built reply (relayed too) into the caller's buffer must
/// not allocate.</summary>
public sealed class Dhcp6MessageEncoderAllocationTests
{
    [Fact]
    public void Encoding_a_relayed_reply_into_a_caller_buffer_allocates_nothing()
    {
        var reply = new Dhcp6RelayMessage
        {
            Type = Dhcp6MessageType.RelayReply,
            LinkAddress = IPv6Address.Parse("2001:db8:1::1"),
            PeerAddress = IPv6Address.Parse("fe80::1"),
            Options = Dhcp6OptionList.Empty.Add(Dhcp6Option.Create(Dhcp6OptionCode.InterfaceId, "eth0"u8)),
            Relayed = new Dhcp6Message
            {
                Type = Dhcp6MessageType.Reply,
                TransactionId = 0x123456,
                Options = new Dhcp6OptionList(
                [
                    Duid.Enterprise(43793, [1, 2, 3]).ToOption(Dhcp6OptionCode.ServerId),
                    new Dhcp6IaNa(1, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(48), Dhcp6OptionList.Empty).ToOption(),
                    Dhcp6Options.BootfileUrl("tftp://[2001:db8::1]/ipxe.efi"),
                ]),
            },
        };
        var buffer = new byte[1500];
        Assert.True(Dhcp6MessageEncoder.TryEncode(reply, buffer, out _)); // warm up (JIT, statics)

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Dhcp6MessageEncoder.TryEncode(reply, buffer, out _);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
