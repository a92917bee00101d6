using CsCheck;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Pxe;
using NetBoot.Wire.Rendering;
using NetBoot.Wire.Tftp;

namespace NetBoot.Fuzz.Tests;

/// <summary>Property-based fuzzing of every decoder that takes bytes from the network: none may throw, and what
/// decodes must survive a re-encode unchanged. Bounded iteration counts keep the pass to seconds in CI.</summary>
public class WireFuzzTests
{
    private const int Iterations = 50_000;

    [Fact]
    public void Dhcp_decoder_never_throws_on_random_bytes() =>
        Mutation.RandomBytes(1500).Sample(bytes => { _ = DhcpMessageDecoder.TryDecode(bytes, out _, out _); }, iter: FuzzBudget.Iterations(Iterations));

    [Fact]
    public void Dhcp_decoder_never_throws_on_mutated_real_packets_and_what_decodes_round_trips() =>
        Mutation.Of(FuzzSeeds.DhcpDatagrams).Sample(bytes =>
        {
            if (!DhcpMessageDecoder.TryDecode(bytes, out var message, out _))
            {
                return true;
            }
            var encoded = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(MaximumLength: 65_000));
            // The encoder keeps the last byte of sname/file NUL (dnsmasq parity): an unterminated 64/128-byte name,
            // decoded in full, comes back cut to 63/127 (found by bench/fuzz; see testdata/fuzz/dhcp).
            var expected = message with
            {
                ServerName = message.ServerName.Length > 63 ? message.ServerName[..63] : message.ServerName,
                BootFileName = message.BootFileName.Length > 127 ? message.BootFileName[..127] : message.BootFileName,
            };
            return DhcpMessageDecoder.TryDecode(encoded, out var again, out _) && again.Equals(expected);
        }, iter: FuzzBudget.Iterations(Iterations));

    [Fact]
    public void Pxe_option_43_decoder_never_throws() =>
        Mutation.RandomBytes(300).Sample(bytes =>
        {
            if (PxeVendorOptions.TryDecode(bytes, out var subOptions, out _))
            {
                _ = PxeVendorOptions.TryGetBootItem(subOptions, out _);
                foreach (var sub in subOptions)
                {
                    _ = PxeVendorOptions.TryReadBootMenu(sub.Data.AsSpan(), out _);
                    _ = PxeVendorOptions.TryReadBootServers(sub.Data.AsSpan(), out _);
                    _ = PxeVendorOptions.TryReadMenuPrompt(sub.Data.AsSpan(), out _);
                }
            }
        }, iter: FuzzBudget.Iterations(Iterations));

    [Fact]
    public void Tftp_decoder_never_throws_and_decoded_packets_encode_again() =>
        Gen.OneOf(Mutation.RandomBytes(600), Mutation.Of(FuzzSeeds.TftpDatagrams)).Sample(bytes =>
        {
            if (TftpPacketDecoder.TryDecode(bytes, out var packet, out _))
            {
                var encoded = TftpPacketEncoder.Encode(packet);
                return TftpPacketDecoder.TryDecode(encoded, out var again, out _) && again.Opcode == packet.Opcode;
            }
            return true;
        }, iter: FuzzBudget.Iterations(Iterations));

    [Fact]
    public void Packet_renderer_never_throws_on_mutated_dhcp_messages() =>
        Mutation.Of(FuzzSeeds.DhcpDatagrams).Sample(bytes =>
        {
            if (DhcpMessageDecoder.TryDecode(bytes, out var message, out _))
            {
                _ = DhcpMessageRenderer.Render(message, isPxe: true);
            }
        }, iter: FuzzBudget.Iterations(Iterations / 4));
}
