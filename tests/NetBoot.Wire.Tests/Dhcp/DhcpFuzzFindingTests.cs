using System.Text;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Wire.Tests.Dhcp;

/// <summary>What coverage-guided fuzzing (bench/fuzz) found in the DHCP codec, kept as regressions. The inputs are
/// in testdata/fuzz/dhcp, byte for byte as AFL++ saved them.</summary>
public sealed class DhcpFuzzFindingTests
{
    public static TheoryData<string> Findings() =>
        [.. Directory.GetFiles(Path.Combine(TestPaths.TestData, "fuzz", "dhcp"), "*.bin").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    /// <summary>Finding 1 (dhcp target, 7 inputs): a client's <c>sname</c> of 64 or <c>file</c> of 128 non-NUL bytes
    /// decodes in full (the log shows everything the client sent), while the encoder keeps the field's last byte NUL
    /// (dnsmasq parity), so a round trip cuts the name to 63/127 characters. Not a decoder fault: the round-trip
    /// property was wrong, in the CsCheck pass too. The decoder must not throw, and a round trip may change nothing else.</summary>
    [Theory]
    [MemberData(nameof(Findings))]
    public void Fuzz_finding_decodes_and_round_trips_up_to_the_encoders_name_cut(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestPaths.TestData, "fuzz", "dhcp", file));

        Assert.True(DhcpMessageDecoder.TryDecode(bytes, out var message, out var error), error.ToString());
        Assert.True(message.ServerName.Length == 64 || message.BootFileName.Length == 128, "the finding has an unterminated name");
        var encoded = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(MaximumLength: 65_000));
        Assert.True(DhcpMessageDecoder.TryDecode(encoded, out var again, out _));
        Assert.Equal(DhcpRoundTrip.WithNamesAsEncoded(message), again);
        Assert.Equal(encoded, DhcpMessageEncoder.Encode(again, new DhcpEncodeOptions(MaximumLength: 65_000)));
    }

    [Fact]
    public void Unterminated_full_length_names_decode_in_full_and_are_re_encoded_cut_and_nul_terminated()
    {
        var bytes = new RawDhcpPacket()
            .Header(0, 1, 1, 6, 0)
            .ServerNameField(Encoding.Latin1.GetBytes(new string('s', 64)))
            .BootFileField(Encoding.Latin1.GetBytes(new string('f', 128)))
            .Options(53, 1, 1, 255)
            .ToArray();

        Assert.True(DhcpMessageDecoder.TryDecode(bytes, out var message, out _));
        Assert.Equal(new string('s', 64), message.ServerName);
        Assert.Equal(new string('f', 128), message.BootFileName);

        var encoded = DhcpMessageEncoder.Encode(message);
        Assert.Equal(0, encoded[44 + 63]);
        Assert.Equal(0, encoded[108 + 127]);
        Assert.True(DhcpMessageDecoder.TryDecode(encoded, out var again, out _));
        Assert.Equal(new string('s', 63), again.ServerName);
        Assert.Equal(new string('f', 127), again.BootFileName);
    }
}

/// <summary>The one change a decode → encode → decode round trip may make.</summary>
internal static class DhcpRoundTrip
{
    public static DhcpMessage WithNamesAsEncoded(DhcpMessage message) => message with
    {
        ServerName = message.ServerName.Length > 63 ? message.ServerName[..63] : message.ServerName,
        BootFileName = message.BootFileName.Length > 127 ? message.BootFileName[..127] : message.BootFileName,
    };
}
