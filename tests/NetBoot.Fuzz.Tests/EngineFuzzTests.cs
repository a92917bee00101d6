using CsCheck;
using NetBoot.Configuration.Model;
using NetBoot.Engine;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Tftp;

namespace NetBoot.Fuzz.Tests;

/// <summary>The decisions taken on hostile input: the engine answers or declines, never throws, and what it
/// answers can always be put on the wire; the TFTP path policy never leaves its root.</summary>
public class EngineFuzzTests
{
    private static readonly ArrivalInterface Lan = new("eth0", 2, IPv4Address.Parse("192.168.1.10"), IPv4Address.MaskFromPrefix(24));

    [Fact]
    public void Engine_decides_every_mutated_request_on_both_ports_under_every_reference_configuration() =>
        Gen.Select(Mutation.Of(FuzzSeeds.DhcpDatagrams), Gen.Int[0, FuzzSeeds.Configs.Length - 1], Gen.Bool).Sample((bytes, configIndex, onPxePort) =>
        {
            if (!DhcpMessageDecoder.TryDecode(bytes, out var message, out _))
            {
                return true;
            }
            var request = new DhcpRequest(message, Lan, IPv4Address.Parse("192.168.1.57"), 68, onPxePort ? DhcpRequest.PxePort : (ushort)67);
            var decision = DhcpEngine.Decide(request, FuzzSeeds.Configs[configIndex]);
            if (decision is not SendReply reply)
            {
                return decision is NoReply;
            }
            var buffer = new byte[1500];
            var length = DhcpMessageEncoder.Encode(reply.Message, buffer, new DhcpEncodeOptions(reply.MaximumLength, reply.AllowOverload), out _);
            return length >= DhcpMessage.MinimumLength && DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, length), out _, out _);
        }, iter: FuzzBudget.Iterations(30_000));

    [Fact]
    public void Tftp_path_policy_never_resolves_outside_its_root()
    {
        var root = Directory.CreateTempSubdirectory("netboot-fuzz-root-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "ltsp", "i386"));
            File.WriteAllText(Path.Combine(root, "ltsp", "i386", "pxelinux.0"), "x");
            var policy = new TftpPathPolicy(new TftpConfig { IsEnabled = true, Root = root }, PhysicalTftpFileSystem.Instance);
            var pieces = Gen.OneOfConst("..", ".", "/", "\\", "ltsp", "i386", "pxelinux.0", "%2e%2e", "\0", "\u2024\u2024", "etc", "passwd", root, "//", "~", " ");
            pieces.Array[0, 12].Select(parts => string.Concat(parts)).Sample(name =>
            {
                var result = policy.Resolve(name);
                return !result.IsAllowed
                    || (result.FullPath!.StartsWith(root + "/", StringComparison.Ordinal) && File.Exists(result.FullPath));
            }, iter: FuzzBudget.Iterations(30_000));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Tftp_transfer_survives_any_sequence_of_acks_errors_and_timeouts()
    {
        var events = Gen.Select(Gen.Int[0, 3], Gen.UShort, Gen.Int[0, 3000]);
        Gen.Select(Gen.Long[0, 200_000], Gen.Int[8, 1468], Gen.Int[1, 32], events.Array[0, 400]).Sample((size, blockSize, windowSize, script) =>
        {
            var options = new TftpNegotiatedOptions(blockSize, windowSize, null, null, []);
            var transfer = new TftpTransfer(size, options);
            var now = DateTimeOffset.UnixEpoch;
            var step = transfer.Start(now);
            foreach (var (kind, block, advanceMs) in script)
            {
                if (step.IsFinished)
                {
                    break;
                }
                now += TimeSpan.FromMilliseconds(advanceMs);
                step = kind switch
                {
                    0 => transfer.OnAck(block, now),
                    1 => transfer.OnAck((ushort)(transfer.AcknowledgedBlocks + 1), now),
                    2 => transfer.OnTimeout(now),
                    _ => transfer.OnError(TftpErrorCode.NotDefined, "fuzz", now),
                };
                foreach (var data in step.DataBlocks)
                {
                    if (data.Offset < 0 || data.Length < 0 || data.Offset + data.Length > size || data.Length > blockSize)
                    {
                        return false;
                    }
                }
            }
            return transfer.AcknowledgedBlocks <= transfer.TotalBlocks;
        }, iter: FuzzBudget.Iterations(3_000));
    }
}
