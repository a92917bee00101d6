using CsCheck;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;
using NetBoot.Wire.Rendering;

namespace NetBoot.Fuzz.Tests;

/// <summary>Fuzzing of the IPv6 decoders (issue 19): the DHCPv6 codec and the Router Advertisement/Solicitation codec
/// never throw on hostile bytes, every typed accessor copes with what decodes, and what decodes survives a re-encode.</summary>
public class Dhcp6FuzzTests
{
    private const int Iterations = 50_000;

    [Fact]
    public void Dhcp6_decoder_never_throws_on_random_bytes() =>
        Mutation.RandomBytes(1500).Sample(bytes => { _ = Dhcp6MessageDecoder.TryDecode(bytes, out _, out _); }, iter: FuzzBudget.Iterations(Iterations));

    [Fact]
    public void Dhcp6_decoder_never_throws_on_mutated_real_packets_and_what_decodes_round_trips() =>
        Mutation.Of(FuzzSeeds.Dhcp6Datagrams).Sample(bytes =>
        {
            if (!Dhcp6MessageDecoder.TryDecode(bytes, out var packet, out _))
            {
                return true;
            }
            var buffer = new byte[Dhcp6MessageEncoder.GetEncodedLength(packet)];
            return Dhcp6MessageEncoder.TryEncode(packet, buffer, out var written) && written == buffer.Length
                && Dhcp6MessageDecoder.TryDecode(buffer, out var again, out _) && again.Equals(packet);
        }, iter: FuzzBudget.Iterations(Iterations));

    [Fact]
    public void Dhcp6_typed_accessors_never_throw_on_mutated_real_packets() =>
        Mutation.Of(FuzzSeeds.Dhcp6Datagrams).Sample(bytes =>
        {
            if (Dhcp6MessageDecoder.TryDecode(bytes, out var packet, out _))
            {
                for (Dhcp6Packet? p = packet; p is not null; p = (p as Dhcp6RelayMessage)?.Relayed)
                {
                    ReadEverything(p.Options);
                }
            }
        }, iter: FuzzBudget.Iterations(Iterations / 2));

    [Fact]
    public void Router_advertisement_decoder_never_throws_on_random_bytes() =>
        Gen.Byte.Array[0, 600].Select(b => b.Length >= 2 ? [134, 0, .. b[2..]] : b).Sample(bytes =>
        {
            _ = NeighborDiscoveryDecoder.TryDecodeRouterAdvertisement(bytes, out _, out _);
            _ = NeighborDiscoveryDecoder.TryDecodeRouterSolicitation(bytes, out _, out _);
        }, iter: FuzzBudget.Iterations(Iterations));

    [Fact]
    public void Neighbor_discovery_decoders_never_throw_on_mutated_messages_and_what_decodes_round_trips() =>
        Mutation.Of(FuzzSeeds.NeighborDiscoveryMessages).Sample(bytes =>
        {
            if (NeighborDiscoveryDecoder.TryDecodeRouterAdvertisement(bytes, out var ra, out _))
            {
                var encoded = NeighborDiscoveryEncoder.Encode(ra);
                return NeighborDiscoveryDecoder.TryDecodeRouterAdvertisement(encoded, out var again, out _) && again.Equals(ra);
            }
            if (NeighborDiscoveryDecoder.TryDecodeRouterSolicitation(bytes, out var rs, out _))
            {
                var encoded = NeighborDiscoveryEncoder.Encode(rs);
                return NeighborDiscoveryDecoder.TryDecodeRouterSolicitation(encoded, out var again, out _) && again.Equals(rs);
            }
            return true;
        }, iter: FuzzBudget.Iterations(Iterations));

    [Fact]
    public void Icmp6_checksum_never_throws_and_a_written_checksum_verifies() =>
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var source = IPv6Address.Parse("fe80::5054:ff:fec0:ff01");
            var destination = IPv6Address.Parse("ff02::1");
            if (bytes.Length < 4)
            {
                return !Icmp6Checksum.IsValid(source, destination, bytes);
            }
            Icmp6Checksum.Write(source, destination, bytes);
            return Icmp6Checksum.IsValid(source, destination, bytes);
        }, iter: FuzzBudget.Iterations(Iterations / 5));

    [Fact]
    public void Renderers_never_throw_on_mutated_dhcpv6_and_router_messages() =>
        Gen.OneOf(Mutation.Of(FuzzSeeds.Dhcp6Datagrams), Mutation.Of(FuzzSeeds.NeighborDiscoveryMessages)).Sample(bytes =>
        {
            if (Dhcp6MessageDecoder.TryDecode(bytes, out var packet, out _))
            {
                _ = Dhcp6MessageRenderer.Render(packet);
            }
            var writer = new RenderWriter();
            if (NeighborDiscoveryDecoder.TryDecodeRouterAdvertisement(bytes, out var ra, out _))
            {
                _ = NeighborDiscoveryRenderer.Summary(ra);
                NeighborDiscoveryRenderer.RenderBody(writer, ra);
            }
        }, iter: FuzzBudget.Iterations(Iterations / 4));

    private static void ReadEverything(Dhcp6OptionList options)
    {
        foreach (var duid in new[] { options.ClientId, options.ServerId }.OfType<Duid>())
        {
            _ = duid.ToString();
            _ = duid.TryGetLinkLayerAddress(out _);
            _ = duid.TryGetTime(out _);
            _ = duid.TryGetEnterprise(out _, out _);
            _ = duid.TryGetUuid(out _);
        }
        foreach (var ia in options.IdentityAssociations)
        {
            _ = ia.Status;
            foreach (var address in ia.Addresses)
            {
                _ = address.Status;
                _ = address.ToOption();
            }
            _ = ia.ToOption();
        }
        _ = options.StatusCode;
        _ = options.OptionRequests;
        _ = options.Preference;
        _ = options.ElapsedTime;
        _ = options.UserClasses;
        _ = options.VendorClasses.Select(v => v.ToOption()).ToList();
        _ = options.VendorOptions.Select(v => v.ToOption()).ToList();
        _ = options.InterfaceId;
        _ = options.DnsServers;
        _ = options.BootfileUrl;
        _ = options.BootfileParameters;
        _ = options.ClientArchitectures;
        _ = options.NetworkInterface;
    }
}
