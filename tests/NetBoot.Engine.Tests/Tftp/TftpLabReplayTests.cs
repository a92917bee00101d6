using NetBoot.Wire.Net;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Testing;
using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tests.Tftp;

/// <summary>Replays the clients of the lab captures (real firmware against dnsmasq 2.90) through the engine and
/// checks that we send byte for byte what dnsmasq sent. dnsmasq 2.90 predates windowsize, so the replay strips
/// that option from the requests.</summary>
public class TftpLabReplayTests
{
    [Theory]
    [InlineData("bios-ipxe-full")]
    [InlineData("bios-ipxe-proxy")]
    [InlineData("uefi-edk2-full")]
    [InlineData("uefi-aarch64-full")]
    public void Engine_answers_the_lab_clients_exactly_as_dnsmasq_did(string lab)
    {
        var root = Path.Combine(TestPaths.TestData, "lab", "tftp-root");
        var config = new TftpConfig { IsEnabled = true, Root = root };
        var policy = new TftpPathPolicy(config, new LabRootFileSystem());
        var sessions = new Dictionary<(IPv4Address, ushort), Session>();
        var datagrams = TftpCaptureReader.ReadTftp(Path.Combine(TestPaths.TestData, "lab", lab, "capture.pcap"));
        var now = DateTimeOffset.UnixEpoch;
        foreach (var datagram in datagrams)
        {
            now += TimeSpan.FromMilliseconds(1);
            var client = (datagram.SourceAddress, datagram.SourcePort);
            if (datagram.DestinationPort == 69)
            {
                Assert.True(TftpPacketDecoder.TryDecode(datagram.Payload, out var packet, out _));
                var session = new Session();
                sessions[client] = session;
                session.Begin(Assert.IsType<TftpReadRequest>(packet), policy, config, now);
            }
            else if (sessions.TryGetValue(client, out var fromClient))
            {
                fromClient.Feed(datagram.Payload, now);
            }
            else
            {
                sessions[(datagram.DestinationAddress, datagram.DestinationPort)].Expected.Add(datagram.Payload);
            }
        }
        Assert.NotEmpty(sessions);
        foreach (var session in sessions.Values)
        {
            Assert.NotEmpty(session.Sent);
            Assert.Equal(session.Expected.Count, session.Sent.Count);
            for (var i = 0; i < session.Sent.Count; i++)
            {
                Assert.True(session.Expected[i].AsSpan().SequenceEqual(session.Sent[i]), $"packet {i} differs");
            }
            Assert.True(session.Finished, "every lab transfer ends (completed or size probe)");
        }
    }

    /// <summary>The lab root holds plain files only, so every name is a readable regular file at itself (the real
    /// file system is Hosting's, and its policy tests are there).</summary>
    private sealed class LabRootFileSystem : ITftpFileSystem
    {
        public string? ResolveRealPath(string path) => File.Exists(path) ? path : null;

        public TftpFileKind GetKind(string realPath) => TftpFileKind.RegularFile;

        public bool IsReadable(string realPath) => true;
    }

    private sealed class Session
    {
        private TftpTransfer? _transfer;
        private TftpNegotiatedOptions? _options;
        private byte[] _content = [];

        public List<byte[]> Expected { get; } = [];

        public List<byte[]> Sent { get; } = [];

        public bool Finished { get; private set; }

        public void Begin(TftpReadRequest request, TftpPathPolicy policy, TftpConfig config, DateTimeOffset now)
        {
            var decision = TftpRequestResponder.Decide(request, policy, "lab0");
            Assert.True(decision.IsAccepted, decision.ErrorMessage);
            _content = File.ReadAllBytes(decision.FullPath!);
            var options = request.Options.Where(o => !o.Is(TftpOptionNames.WindowSize)).ToArray();
            _options = TftpNegotiation.Negotiate(options, decision.Mode, _content.Length, config, 1500);
            _transfer = new TftpTransfer(_content.Length, _options);
            Apply(_transfer.Start(now));
        }

        public void Feed(byte[] datagram, DateTimeOffset now) => Apply(_transfer!.OnDatagram(datagram, now));

        private void Apply(TftpStep step)
        {
            if (step.SendOptionAcknowledgment)
            {
                Sent.Add(TftpPacketEncoder.Encode(new TftpOptionAckPacket(_options!.Acknowledged)));
            }
            foreach (var block in step.DataBlocks)
            {
                var buffer = new byte[4 + block.Length];
                TftpPacketEncoder.WriteDataHeader(buffer, block.BlockNumber);
                _content.AsSpan((int)block.Offset, block.Length).CopyTo(buffer.AsSpan(4));
                Sent.Add(buffer);
            }
            Finished |= step.IsFinished && step.IsQuietEnd;
        }
    }
}
