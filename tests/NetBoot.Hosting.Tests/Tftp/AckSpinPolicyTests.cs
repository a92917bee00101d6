using System.Net;
using System.Net.Sockets;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

/// <summary>The poll-before-sleep of a lock-step transfer: when it polls, when it backs off, and that a link that
/// polls still receives the ACK and still answers a stranger with ERROR 5 (loopback only).</summary>
public sealed class AckSpinPolicyTests
{
    [Fact]
    public void Polls_while_the_ACK_is_caught()
    {
        var policy = new AckSpinPolicy();
        for (var i = 0; i < 100; i++)
        {
            Assert.True(policy.ShouldSpin());
            policy.Record(AckSpinOutcome.Caught);
        }
    }

    [Fact]
    public void Backs_off_after_consecutive_misses_then_tries_again()
    {
        var policy = new AckSpinPolicy();
        for (var i = 0; i < AckSpinPolicy.MissesBeforeBackoff; i++)
        {
            Assert.True(policy.ShouldSpin());
            policy.Record(AckSpinOutcome.Missed);
        }
        for (var i = 0; i < AckSpinPolicy.BackoffWaits; i++)
        {
            Assert.False(policy.ShouldSpin());
        }
        Assert.True(policy.ShouldSpin());
    }

    [Fact]
    public void A_catch_resets_the_miss_count()
    {
        var policy = new AckSpinPolicy();
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < AckSpinPolicy.MissesBeforeBackoff - 1; i++)
            {
                Assert.True(policy.ShouldSpin());
                policy.Record(AckSpinOutcome.Missed);
            }
            Assert.True(policy.ShouldSpin());
            policy.Record(AckSpinOutcome.Caught);
        }
    }

    [Fact]
    public void A_polling_link_receives_the_ACK_and_rejects_a_stranger()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stranger.ReceiveTimeout = 5000;
        var strangers = 0;
        using var link = new SocketTransferLink(server, (IPEndPoint)client.LocalEndPoint!, _ => strangers++, TimeSpan.FromMicroseconds(100));
        var ack = new byte[4];
        var received = new byte[1024];

        TftpPacketEncoder.WriteAck(ack, 7);
        stranger.SendTo(ack, server.LocalEndPoint!);
        Assert.Equal(-1, link.Receive(TimeSpan.FromSeconds(5), received));
        Assert.Equal(1, strangers);
        var reply = new byte[64];
        var length = stranger.Receive(reply);
        Assert.True(TftpPacketDecoder.TryDecode(reply.AsSpan(0, length), out var packet, out _));
        Assert.Equal(TftpErrorCode.UnknownTransferId, Assert.IsType<TftpErrorPacket>(packet).Code);

        client.SendTo(ack, server.LocalEndPoint!);
        var length2 = link.Receive(TimeSpan.FromSeconds(5), received);
        Assert.True(TftpPacketDecoder.TryReadAck(received.AsSpan(0, length2), out var block));
        Assert.Equal(7, block);
    }
}
