using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp;
using static NetBoot.Engine.Tests.TestRequests;

namespace NetBoot.Engine.Tests.Dhcp;

public class ClientClassifierTests
{
    private static TagSet Tags(ServerConfig config, DhcpMessage message) =>
        ClientClassifier.Classify(message, Eth0(), config).Tags;

    private static DhcpMatchConfig Match(string tag, DhcpOptionCode code, DhcpMatchValue? value = null) =>
        new() { SetTag = tag, OptionCode = (byte)code, Value = value, Source = TestConfigs.Line(1) };

    [Fact]
    public void Arrival_interface_name_is_a_tag()
    {
        Assert.Equal(new[] { "eth0" }, Tags(new ServerConfig(), Discover(0)).Names.ToArray());
    }

    [Fact]
    public void Dhcp_match_without_value_tests_presence()
    {
        var config = new ServerConfig { Matches = [Match("ipxe", DhcpOptionCode.EtherbootEncapsulated)] };

        Assert.True(Tags(config, AsIpxe(Discover(0))).Contains("ipxe"));
        Assert.False(Tags(config, Discover(0)).Contains("ipxe"));
    }

    [Theory]
    [InlineData(7, true)]
    [InlineData(9, false)]
    [InlineData(0x0700, false)]
    public void Dhcp_match_on_client_arch_compares_two_byte_elements(ushort architecture, bool matches)
    {
        var value = new DhcpMatchValue { Kind = DhcpMatchKind.IntegerElement, Bytes = [0, 7], ElementWidth = 2 };
        var config = new ServerConfig { Matches = [Match("efi-x86_64", DhcpOptionCode.ClientSystemArchitecture, value)] };

        Assert.Equal(matches, Tags(config, Discover(architecture)).Contains("efi-x86_64"));
    }

    [Fact]
    public void Dhcp_match_integer_element_is_not_found_across_element_boundaries()
    {
        // Option 93 = 00 07 | 00 00: a 2-byte scan must not see "07 00".
        var value = new DhcpMatchValue { Kind = DhcpMatchKind.IntegerElement, Bytes = [7, 0], ElementWidth = 2 };
        var message = With(Discover(7), DhcpOptionCode.ClientSystemArchitecture, [0, 7, 0, 0]);
        var config = new ServerConfig { Matches = [Match("x", DhcpOptionCode.ClientSystemArchitecture, value)] };

        Assert.False(Tags(config, message).Contains("x"));
    }

    [Fact]
    public void Dhcp_match_one_byte_element_scans_every_byte_of_option_175()
    {
        var value = new DhcpMatchValue { Kind = DhcpMatchKind.IntegerElement, Bytes = [0x10] };
        var config = new ServerConfig { Matches = [Match("ipxe-http", DhcpOptionCode.EtherbootEncapsulated, value)] };

        Assert.True(Tags(config, AsIpxe(Discover(0))).Contains("ipxe-http"));
    }

    [Fact]
    public void Dhcp_match_hex_with_wildcards_is_left_anchored()
    {
        var anchored = new DhcpMatchValue { Kind = DhcpMatchKind.HexPattern, Bytes = [0xb1, 0x00, 0x01], Wildcards = [false, true, false] };
        var notAnchored = new DhcpMatchValue { Kind = DhcpMatchKind.HexPattern, Bytes = [0x05, 0x01] };
        var config = new ServerConfig
        {
            Matches = [Match("a", DhcpOptionCode.EtherbootEncapsulated, anchored), Match("b", DhcpOptionCode.EtherbootEncapsulated, notAnchored)],
        };

        var tags = Tags(config, AsIpxe(Discover(0)));

        Assert.True(tags.Contains("a"));
        Assert.False(tags.Contains("b"));
    }

    [Fact]
    public void Dhcp_match_string_is_a_substring()
    {
        var value = new DhcpMatchValue { Kind = DhcpMatchKind.Substring, Bytes = [.. "UNDI"u8] };
        var config = new ServerConfig { Matches = [Match("undi", DhcpOptionCode.VendorClassIdentifier, value)] };

        Assert.True(Tags(config, Discover(0)).Contains("undi"));
    }

    [Fact]
    public void Dhcp_vendorclass_is_a_substring_of_option_60()
    {
        var config = new ServerConfig { VendorClasses = [new DhcpClassMatchConfig { SetTag = "bios", Pattern = [.. "Arch:00000"u8], Source = TestConfigs.Line(1) }] };

        Assert.True(Tags(config, Discover(0)).Contains("bios"));
        Assert.False(Tags(config, Discover(7)).Contains("bios"));
    }

    [Fact]
    public void Dhcp_userclass_ignores_rfc_3004_length_bytes()
    {
        var config = new ServerConfig { UserClasses = [new DhcpClassMatchConfig { SetTag = "ipxe", Pattern = [.. "iPXE"u8], Source = TestConfigs.Line(1) }] };
        var counted = With(Discover(0), DhcpOptionCode.UserClass, [4, .. "iPXE"u8, 3, .. "lab"u8]);
        // A length byte of 0x69 ('i') must not take part in a match once zeroed.
        var spanning = new ServerConfig { UserClasses = [new DhcpClassMatchConfig { SetTag = "x", Pattern = [4, .. "iPXE"u8], Source = TestConfigs.Line(1) }] };

        Assert.True(Tags(config, counted).Contains("ipxe"));
        Assert.True(Tags(config, AsIpxe(Discover(0))).Contains("ipxe"));
        Assert.False(Tags(spanning, counted).Contains("x"));
    }

    [Fact]
    public void Dhcp_mac_matches_with_wildcard_bytes()
    {
        var config = new ServerConfig
        {
            MacMatches =
            [
                new DhcpMacMatchConfig { SetTag = "qemu", Pattern = [0x52, 0x54, 0x00, null, null, null], Source = TestConfigs.Line(1) },
                new DhcpMacMatchConfig { SetTag = "other", Pattern = [0x00, 0x11, null, null, null, null], Source = TestConfigs.Line(2) },
            ],
        };

        var tags = Tags(config, Discover(0));

        Assert.True(tags.Contains("qemu"));
        Assert.False(tags.Contains("other"));
    }

    [Fact]
    public void Tag_if_rules_run_in_order_and_see_earlier_results()
    {
        var config = new ServerConfig
        {
            Matches = [Match("ipxe", DhcpOptionCode.EtherbootEncapsulated)],
            TagIfs =
            [
                new TagIfConfig { SetTags = ["ipxe-bios"], Filter = TestConfigs.Tags("ipxe", "!efi"), Source = TestConfigs.Line(2) },
                new TagIfConfig { SetTags = ["chain"], Filter = TestConfigs.Tags("ipxe-bios"), Source = TestConfigs.Line(3) },
                new TagIfConfig { SetTags = ["wild"], Filter = TestConfigs.Tags("eth*"), Source = TestConfigs.Line(4) },
            ],
        };

        var tags = Tags(config, AsIpxe(Discover(0)));

        Assert.Equal(new[] { "eth0", "ipxe", "ipxe-bios", "chain", "wild" }, tags.Names.ToArray());
    }

    [Fact]
    public void Known_host_sets_known_and_its_tags()
    {
        var config = new ServerConfig
        {
            Hosts = [new DhcpHostConfig { HardwareAddresses = [new HardwareAddressPattern(1, [0x52, 0x54, 0x00, 0xc0, 0xff, 0x01])], SetTags = ["lab"], Source = TestConfigs.Line(1) }],
        };

        var tags = Tags(config, Discover(0));

        Assert.True(tags.Contains("known"));
        Assert.True(tags.Contains("lab"));
    }

    [Fact]
    public void Dhcp_ignore_needs_all_its_tags()
    {
        var config = new ServerConfig
        {
            Matches = [Match("ipxe", DhcpOptionCode.EtherbootEncapsulated)],
            Ignores = [new DhcpIgnoreConfig { Filter = TestConfigs.Tags("ipxe", "eth0"), Source = TestConfigs.Line(2) }],
        };

        Assert.True(ClientClassifier.Classify(AsIpxe(Discover(0)), Eth0(), config).IsIgnored);
        Assert.False(ClientClassifier.Classify(Discover(0), Eth0(), config).IsIgnored);
    }
}
