using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Rendering;

namespace NetBoot.Wire.Tests.Rendering;

public class OptionRobustnessTests
{
    /// <summary>Arbitrary values of every option code, PXE or not: each renders to at least one line, never throws.</summary>
    [Fact]
    public void Any_bytes_in_any_option_render_without_throwing()
    {
        var random = new Random(20261125);
        for (var round = 0; round < 40; round++)
        {
            var value = new byte[random.Next(0, 48)];
            random.NextBytes(value);
            for (var code = 0; code < 256; code++)
            {
                foreach (var isPxe in new[] { false, true })
                {
                    var writer = new RenderWriter();
                    DhcpOptionRenderer.Render(writer, new DhcpOption((DhcpOptionCode)code, [.. value]), isPxe);

                    Assert.NotEmpty(writer.ToString());
                }
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 0xc0, 0x00 })]
    [InlineData(new byte[] { 0xc0, 0x02, 0xc0, 0x00 })]
    [InlineData(new byte[] { 63, 1 })]
    public void Looping_or_cut_domain_names_are_reported_not_followed(byte[] value)
    {
        var text = DomainNameText.NameList(value);

        Assert.StartsWith("malformed:", text);
    }

    [Fact]
    public void Every_truncation_of_a_pxe_offer_renders_without_throwing()
    {
        byte[] option43 = [6, 1, 3, 8, 7, 0x80, 0x02, 1, 192, 0, 2, 1, 9, 14, 0x80, 0x02, 11, (byte)'i', (byte)'P', (byte)'X', (byte)'E', (byte)' ', (byte)'s', (byte)'c', (byte)'r', (byte)'i', (byte)'p', (byte)'t', 10, 4, 3, (byte)'F', (byte)'8', (byte)'!', 71, 4, 0x80, 0x02, 0, 0, 255];
        for (var length = 0; length <= option43.Length; length++)
        {
            var writer = new RenderWriter();
            DhcpOptionRenderer.Render(writer, new DhcpOption(DhcpOptionCode.VendorSpecificInformation, [.. option43.AsSpan(0, length)]), isPxe: true);

            Assert.StartsWith(" 43 vendor-encap", writer.ToString());
        }
    }
}
