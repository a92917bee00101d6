using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests.Dhcp6;

/// <summary>A link 2001:db8:1::/64 with this server at 2001:db8:1::1, a lease table and a fixed clock.</summary>
internal sealed class Dhcp6Harness
{
    public const string BootConfig = """
        dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h
        dhcp-authoritative
        dhcp-match=set:pxe6,option6:61,7
        dhcp-match=set:http6,option6:61,16
        dhcp-vendorclass=set:pxeclient6,enterprise:343,PXEClient
        dhcp-option=tag:pxe6,tag:pxeclient6,option6:bootfile-url,tftp://[::]/snp.efi
        dhcp-option=tag:http6,option6:bootfile-url,http://[::]/boot/shim.efi
        """;

    public static readonly Duid ServerDuid = Duid.Enterprise(343, [1, 2, 3, 4]);
    public static readonly Duid Client = Duid.TryParse("00:03:00:01:52:54:00:00:00:01", out var duid) ? duid : throw new InvalidOperationException();
    public static readonly IPv6Address ServerAddress = IPv6Address.Parse("2001:db8:1::1");

    public Dhcp6Harness(string configText = BootConfig)
    {
        var result = DnsmasqConfigReader.Parse(configText, "v6.conf");
        Config = result.Config ?? throw new InvalidOperationException(string.Join("; ", result.Errors));
        Link = new Dhcp6Link("eth0", ServerAddress, [.. Config.Ipv6.Ranges.Select(Dhcp6LinkRange.FromLiteral)]);
    }

    public ServerConfig Config { get; }
    public Dhcp6Link Link { get; set; }
    public Ipv6LeaseTable Leases { get; } = new();
    public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);

    /// <summary>Decides, round-trips the reply through the encoder and decoder, and commits the lease changes.</summary>
    public Dhcp6Outcome Send(Dhcp6Packet request)
    {
        var outcome = Dhcp6Responder.Respond(request, Link, Config, Leases, ServerDuid, Now);
        if (outcome.Decision is Dhcp6Send send)
        {
            Assert.True(Dhcp6MessageDecoder.TryDecode(Dhcp6MessageEncoder.Encode(send.Reply), out var decoded, out var error), error.ToString());
            Assert.Equal(send.Reply.InnermostMessage.Type, decoded.InnermostMessage.Type);
        }
        Leases.Apply(outcome.Changes);
        return outcome;
    }

    public static Dhcp6Message Reply(Dhcp6Outcome outcome) =>
        Assert.IsType<Dhcp6Send>(outcome.Decision).Reply.InnermostMessage;

    public static Dhcp6Message Message(Dhcp6MessageType type, params Dhcp6Option[] options) =>
        new() { Type = type, TransactionId = 0x123456, Options = new Dhcp6OptionList(options) };

    public static Dhcp6Option ClientId(Duid? duid = null) => (duid ?? Client).ToOption(Dhcp6OptionCode.ClientId);

    public static Dhcp6Option ServerId(Duid? duid = null) => (duid ?? ServerDuid).ToOption(Dhcp6OptionCode.ServerId);

    public static Dhcp6Option IaNa(uint iaid, params IPv6Address[] addresses) =>
        new Dhcp6IaNa(iaid, TimeSpan.Zero, TimeSpan.Zero,
            new Dhcp6OptionList(addresses.Select(a => new Dhcp6IaAddress(a, TimeSpan.Zero, TimeSpan.Zero, Dhcp6OptionList.Empty).ToOption()))).ToOption();

    public static Dhcp6Option VendorClass(uint enterprise, string text) =>
        new Dhcp6VendorClass(enterprise, [[.. Encoding.ASCII.GetBytes(text)]]).ToOption();

    public static Dhcp6Option Oro(params Dhcp6OptionCode[] codes) => Dhcp6Options.OptionRequest(codes);

    public static Dhcp6IaNa SingleIa(Dhcp6Message reply) => Assert.Single(reply.Options.IdentityAssociations);

    public static IPv6Address AddressOf(Dhcp6Message reply, uint iaid) =>
        Assert.Single(reply.Options.IdentityAssociations.Single(ia => ia.Iaid == iaid).Addresses).Address;

    public static ImmutableArray<Dhcp6Option> Options(Dhcp6Message message) => message.Options.Items;
}
