using System.Collections.Immutable;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Engine.Tests;

internal static class DecisionAssert
{
    public static SendReply Reply(Decision decision)
    {
        var reply = Assert.IsType<SendReply>(decision);
        Assert.Equal(BootOperation.BootReply, reply.Message.Operation);
        return reply;
    }

    public static NoReply Silent(Decision decision, NoReplyReason reason)
    {
        var noReply = Assert.IsType<NoReply>(decision);
        Assert.Equal(reason, noReply.Reason);
        // Every case says which one it is, with its values (the log line's fields), and reads as words on the dashboard.
        Assert.True(noReply.Proxy is not null || noReply.Lease is not null, $"{reason}: no ProxySilence or LeaseSilence");
        Assert.False(string.IsNullOrWhiteSpace(noReply.Describe()));
        return noReply;
    }

    public static ImmutableArray<byte> Option(SendReply reply, DhcpOptionCode code)
    {
        Assert.True(reply.Message.Options.TryGet(code, out var data), $"option {(byte)code} missing");
        return data;
    }

    public static byte[] OptionCodes(SendReply reply) => [.. reply.Message.Options.Select(o => (byte)o.Code)];

    public static string Hex(ImmutableArray<byte> bytes) => Convert.ToHexString(bytes.AsSpan());
}
