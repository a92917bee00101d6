using System.Globalization;
using System.Text;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;

namespace NetBoot.Wire.Rendering;

/// <summary>Renders a decoded DHCPv6 message (RFC 8415 §8, §9) in the DHCPv4 renderer's layout: a summary line, then
/// the relay header fields and every option by dnsmasq's name, nested options (IA_NA → IAADDR → status) indented.
/// A value that does not fit its layout is shown as hex with the reason.</summary>
public static class Dhcp6MessageRenderer
{
    private const int NameWidth = 22;

    public static string Render(Dhcp6Packet packet)
    {
        var writer = new RenderWriter();
        writer.Line(Summary(packet));
        writer.Nested(() => RenderBody(writer, packet));
        return writer.ToString();
    }

    /// <summary>"SOLICIT  xid 0xb89bcc  client 00:01:…" or, through relays, "RELAY-FORW (1 relay) SOLICIT …".</summary>
    public static string Summary(Dhcp6Packet packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var inner = packet.InnermostMessage;
        var relays = packet is Dhcp6RelayMessage relay ? $"{TypeName(relay.Type)} ({ValueText.Plural(relay.Depth, "relay")}) " : "";
        var client = inner.Options.ClientId is { } duid ? $"  client {duid}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{relays}{TypeName(inner.Type)}  xid 0x{inner.TransactionId:x6}{client}");
    }

    public static void RenderBody(RenderWriter writer, Dhcp6Packet packet)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(packet);
        if (packet is Dhcp6RelayMessage relay)
        {
            writer.Line($"{TypeName(relay.Type)}  hop-count {relay.HopCount}  link-address {relay.LinkAddress}  peer-address {relay.PeerAddress}");
            RenderOptions(writer, relay.Options);
            writer.Line("relay-message:");
            writer.Nested(() =>
            {
                writer.Line(relay.Relayed is Dhcp6RelayMessage ? TypeName(relay.Relayed.MessageType) : Summary(relay.Relayed));
                writer.Nested(() => RenderBody(writer, relay.Relayed));
            });
            return;
        }
        RenderOptions(writer, packet.Options);
    }

    private static void RenderOptions(RenderWriter writer, Dhcp6OptionList options)
    {
        if (options.Count == 0)
        {
            writer.Line("options: none");
            return;
        }
        writer.Line($"options ({options.Count}):");
        writer.Nested(() =>
        {
            foreach (var option in options)
            {
                RenderOption(writer, option);
            }
        });
    }

    /// <summary><c>"   59 bootfile-url           "</c>.</summary>
    public static string Head(Dhcp6OptionCode code) =>
        string.Create(CultureInfo.InvariantCulture, $"{(ushort)code,3} {Dhcp6OptionCatalog.NameOf(code).PadRight(NameWidth)} ");

    public static void RenderOption(RenderWriter writer, Dhcp6Option option)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var head = Head(option.Code);
        var data = option.Span;
        switch (option.Code)
        {
            case Dhcp6OptionCode.IaNa when Dhcp6IaNa.TryRead(data, out var ia):
                writer.Line(head + string.Create(CultureInfo.InvariantCulture, $"iaid {ValueText.Hex32(ia.Iaid)}  T1 {Lifetime(ia.T1)}  T2 {Lifetime(ia.T2)}"));
                RenderNested(writer, ia.Options);
                return;
            case Dhcp6OptionCode.IaAddress when Dhcp6IaAddress.TryRead(data, out var address):
                writer.Line(head + $"{address.Address}  preferred {Lifetime(address.PreferredLifetime)}  valid {Lifetime(address.ValidLifetime)}");
                RenderNested(writer, address.Options);
                return;
            case Dhcp6OptionCode.VendorOptions when Dhcp6VendorOptions.TryRead(data, out var vendor):
                writer.Line(head + string.Create(CultureInfo.InvariantCulture, $"enterprise {vendor.EnterpriseNumber}{EnterpriseName(vendor.EnterpriseNumber)}, {ValueText.Plural(vendor.Options.Count, "sub-option")}"));
                writer.Nested(() =>
                {
                    foreach (var sub in vendor.Options)
                    {
                        writer.Line(string.Create(CultureInfo.InvariantCulture, $"{(ushort)sub.Code,3} {ValueText.TextOrHex(sub.Span)}"));
                    }
                });
                return;
            default:
                break;
        }
        if (Value(option.Code, data) is { } value)
        {
            writer.Line(head + value);
            return;
        }
        DhcpOptionRenderer.RenderHex(writer, head, option.Data.AsMemory(), IsStructured(option.Code) ? "malformed" : null);
    }

    private static void RenderNested(RenderWriter writer, Dhcp6OptionList options) =>
        writer.Nested(() =>
        {
            foreach (var option in options)
            {
                RenderOption(writer, option);
            }
        });

    private static bool IsStructured(Dhcp6OptionCode code) => code is Dhcp6OptionCode.IaNa or Dhcp6OptionCode.IaAddress
        or Dhcp6OptionCode.VendorOptions or Dhcp6OptionCode.ClientId or Dhcp6OptionCode.ServerId or Dhcp6OptionCode.StatusCode
        or Dhcp6OptionCode.VendorClass or Dhcp6OptionCode.UserClass or Dhcp6OptionCode.BootfileParam
        or Dhcp6OptionCode.ElapsedTime or Dhcp6OptionCode.DnsServers or Dhcp6OptionCode.DomainList
        or Dhcp6OptionCode.NetworkInterfaceIdentifier or Dhcp6OptionCode.Preference;

    /// <summary>The value as one line, or null to show it as hex.</summary>
    private static string? Value(Dhcp6OptionCode code, ReadOnlySpan<byte> data)
    {
        var single = new Dhcp6OptionList([Dhcp6Option.Create(code, data)]);
        return code switch
        {
            Dhcp6OptionCode.ClientId or Dhcp6OptionCode.ServerId => single.ClientId is { } || single.ServerId is { } ? DuidText(Duid.TryRead(data, out var duid) ? duid : default) : null,
            Dhcp6OptionCode.OptionRequest when data.Length % 2 == 0 => string.Join(", ", single.OptionRequests.Select(c => string.Create(CultureInfo.InvariantCulture, $"{(ushort)c} {Dhcp6OptionCatalog.NameOf(c)}"))),
            Dhcp6OptionCode.Preference when data.Length == 1 => data[0].ToString(CultureInfo.InvariantCulture),
            Dhcp6OptionCode.ElapsedTime when single.ElapsedTime is { } elapsed => string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.00}s"),
            Dhcp6OptionCode.StatusCode when Dhcp6StatusCode.TryRead(data, out var status) => $"{StatusName(status.Code)} {ValueText.Quoted(Encoding.UTF8.GetBytes(status.Message))}",
            Dhcp6OptionCode.RapidCommit when data.IsEmpty => "(present)",
            Dhcp6OptionCode.ReconfigureAccept when data.IsEmpty => "(present)",
            Dhcp6OptionCode.UserClass or Dhcp6OptionCode.BootfileParam when Dhcp6OpaqueItems.TryRead(data, out var items) => Items(items),
            Dhcp6OptionCode.VendorClass when Dhcp6VendorClass.TryRead(data, out var vendor) =>
                string.Create(CultureInfo.InvariantCulture, $"enterprise {vendor.EnterpriseNumber}{EnterpriseName(vendor.EnterpriseNumber)} {Items(vendor.Items)}"),
            Dhcp6OptionCode.InterfaceId => ValueText.TextOrHex(data),
            Dhcp6OptionCode.DnsServers or Dhcp6OptionCode.SntpServers or Dhcp6OptionCode.SipServerAddresses or Dhcp6OptionCode.NisServers
                when data.Length > 0 && data.Length % 16 == 0 => string.Join(", ", Addresses(data)),
            Dhcp6OptionCode.DomainList or Dhcp6OptionCode.SipServerDomainNames when DnsWireName.TryReadList(data, out var names) => string.Join(", ", names),
            Dhcp6OptionCode.BootfileUrl => ValueText.Quoted(data),
            Dhcp6OptionCode.ClientArchitectureType when data.Length > 0 && data.Length % 2 == 0 =>
                string.Join(", ", single.ClientArchitectures.Select(ClientIdentityText.ArchitectureName)),
            Dhcp6OptionCode.NetworkInterfaceIdentifier when data.Length == 3 =>
                string.Create(CultureInfo.InvariantCulture, $"type {data[0]}{(data[0] == 1 ? " (UNDI)" : "")} version {data[1]}.{data[2]}"),
            Dhcp6OptionCode.InformationRefreshTime or Dhcp6OptionCode.SolMaxRt or Dhcp6OptionCode.InfMaxRt when data.Length == 4 =>
                ValueText.Seconds(ValueText.UInt32(data)),
            _ => null,
        };
    }

    private static IEnumerable<string> Addresses(ReadOnlySpan<byte> data)
    {
        var list = new List<string>(data.Length / 16);
        for (var i = 0; i + 16 <= data.Length; i += 16)
        {
            list.Add(Net.IPv6Address.FromBytes(data[i..]).ToString());
        }
        return list;
    }

    private static string Items(IEnumerable<System.Collections.Immutable.ImmutableArray<byte>> items) =>
        string.Join(", ", items.Select(i => ValueText.Quoted(i.AsSpan())));

    /// <summary>"DUID-LLT ethernet 52:54:00:c0:ff:02 time 2026-…" after the raw hex form clients are matched by.</summary>
    private static string DuidText(Duid duid)
    {
        var detail = duid.Type switch
        {
            DuidType.LinkLayerPlusTime when duid.TryGetLinkLayerAddress(out var mac) && duid.TryGetTime(out var time) =>
                $"DUID-LLT {mac} {time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC",
            DuidType.LinkLayer when duid.TryGetLinkLayerAddress(out var mac) => $"DUID-LL {mac}",
            DuidType.EnterpriseNumber when duid.TryGetEnterprise(out var enterprise, out _) => string.Create(CultureInfo.InvariantCulture, $"DUID-EN enterprise {enterprise}"),
            DuidType.Uuid when duid.TryGetUuid(out var uuid) => $"DUID-UUID {uuid}",
            _ => string.Create(CultureInfo.InvariantCulture, $"DUID type {(ushort)duid.Type}"),
        };
        return $"{duid}  ({detail})";
    }

    private static string EnterpriseName(uint enterprise) => enterprise switch
    {
        343 => " (Intel)",
        _ => "",
    };

    private static string Lifetime(TimeSpan lifetime) =>
        lifetime == Dhcp6Lifetime.Infinite ? "infinite" : ValueText.Seconds(Dhcp6Lifetime.ToSeconds(lifetime));

    private static string StatusName(Dhcp6Status status) =>
        Enum.IsDefined(status) ? status.ToString() : string.Create(CultureInfo.InvariantCulture, $"status {(ushort)status}");

    /// <summary>RFC 8415 §7.3 names: SOLICIT, ADVERTISE, …, RELAY-FORW, RELAY-REPL.</summary>
    public static string TypeName(Dhcp6MessageType type) => type switch
    {
        Dhcp6MessageType.InformationRequest => "INFORMATION-REQUEST",
        Dhcp6MessageType.RelayForward => "RELAY-FORW",
        Dhcp6MessageType.RelayReply => "RELAY-REPL",
        _ when Enum.IsDefined(type) => type.ToString().ToUpperInvariant(),
        _ => string.Create(CultureInfo.InvariantCulture, $"msg-type {(byte)type}"),
    };
}
