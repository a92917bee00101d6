using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Pxe;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>Builds DHCPOFFER / DHCPACK for an owned network (dnsmasq <c>do_options</c>, spec §1.8): 53, 54, 51, 58, 59,
/// 1, 28, 3, the configured options the client asked for (55) or that are forced, the boot file and, for PXE clients,
/// the PXE menu in the same reply.</summary>
public static class LeaseReplyBuilder
{
    /// <summary>dnsmasq's internal option number for <c>server-ip-address</c> (siaddr).</summary>
    private const byte ServerIpAddressCode = 255;

    /// <summary>Options this builder decides itself; a configured line for them is not copied verbatim.</summary>
    private static readonly ImmutableHashSet<byte> Reserved =
    [
        (byte)DhcpOptionCode.DhcpMessageType, (byte)DhcpOptionCode.ServerIdentifier, (byte)DhcpOptionCode.IPAddressLeaseTime,
        (byte)DhcpOptionCode.RenewalTimeValue, (byte)DhcpOptionCode.RebindingTimeValue, (byte)DhcpOptionCode.OptionOverload,
        (byte)DhcpOptionCode.TftpServerName, (byte)DhcpOptionCode.BootFileName, ServerIpAddressCode,
        (byte)DhcpOptionCode.VendorSpecificInformation, (byte)DhcpOptionCode.ClientFqdn,
    ];

    /// <summary>A BOOTREPLY echoing xid, flags, giaddr and chaddr, every address zero, no options.</summary>
    public static DhcpMessage Empty(DhcpMessage request) => new()
    {
        Operation = BootOperation.BootReply,
        HardwareType = request.HardwareType,
        HardwareAddressLength = request.HardwareAddressLength,
        TransactionId = request.TransactionId,
        Flags = request.Flags,
        RelayAgentAddress = request.RelayAgentAddress,
        ClientHardwareAddressField = request.ClientHardwareAddressField,
    };

    public static DhcpMessage Build(
        LeaseExchange exchange, DhcpMessageType type, IPv4Address address, RangeContext range, TimeSpan? leaseTime, bool includeLeaseTimes = true)
    {
        var request = exchange.Message;
        var local = exchange.Local;
        var tags = exchange.Classification.Tags;
        var asked = request.Options.Contains(DhcpOptionCode.ParameterRequestList) ? request.Options.ParameterRequestList.ToHashSet() : null;
        var options = new List<DhcpOption>
        {
            DhcpOption.Create(DhcpOptionCode.DhcpMessageType, [(byte)type]),
            DhcpOption.Create(DhcpOptionCode.ServerIdentifier, exchange.ServerIdentifier.ToBytes()),
        };
        if (includeLeaseTimes)
        {
            options.AddRange(LeaseTimes(leaseTime));
        }
        options.Add(DhcpOption.Create(DhcpOptionCode.SubnetMask, range.Netmask.ToBytes()));
        var broadcast = range.Range.Broadcast ?? new IPv4Address(range.Range.Start.Value | ~range.Netmask.Value);
        options.Add(DhcpOption.Create(DhcpOptionCode.BroadcastAddress, broadcast.ToBytes()));

        var configured = ConfiguredOptions(exchange.Config, tags);
        // dnsmasq ignores dhcp-option=81: the reply's option 81 answers the client's (RFC 4702 §4).
        if (ClientNames.FqdnReply(request.Options, exchange.HostName, exchange.Config.Protocol) is { } fqdn)
        {
            options.Add(fqdn);
        }
        // dnsmasq: on a directly connected network the router defaults to this server unless dhcp-option=3 says otherwise.
        if (!configured.ContainsKey((byte)DhcpOptionCode.Router) && request.RelayAgentAddress.IsZero && IsWanted(asked, (byte)DhcpOptionCode.Router))
        {
            options.Add(DhcpOption.Create(DhcpOptionCode.Router, local.ToBytes()));
        }
        if (exchange.Host?.HostName is { } hostName && IsWanted(asked, (byte)DhcpOptionCode.HostName) && !configured.ContainsKey((byte)DhcpOptionCode.HostName))
        {
            options.Add(DhcpOption.Create(DhcpOptionCode.HostName, Encoding.ASCII.GetBytes(hostName)));
        }
        foreach (var (code, option) in configured)
        {
            if (Reserved.Contains(code) || code is (byte)DhcpOptionCode.SubnetMask or (byte)DhcpOptionCode.BroadcastAddress && !IsWanted(asked, code))
            {
                continue;
            }
            if (option.Directive == DhcpOptionDirective.Force || IsWanted(asked, code))
            {
                options.RemoveAll(o => (byte)o.Code == code);
                if (!(code == (byte)DhcpOptionCode.Router && option.Value.IsEmpty))
                {
                    options.Add(new DhcpOption((DhcpOptionCode)code, WithLocalAddress(option, local)));
                }
            }
        }

        var reply = Empty(request) with
        {
            YourAddress = address,
            ServerAddress = local,
            Options = new DhcpOptionList(options),
        };
        reply = BootFile(reply, exchange, configured, asked);
        return PxeInSameReply(reply, exchange);
    }

    /// <summary>RFC 2132 §9.2, §9.11–9.12; RFC 2131 §4.4.5: T1 = 0.5 and T2 = 0.875 of the lease. Infinite: 0xffffffff
    /// and no T1/T2.</summary>
    public static IEnumerable<DhcpOption> LeaseTimes(TimeSpan? leaseTime)
    {
        if (leaseTime is not { } time)
        {
            yield return DhcpOption.Create(DhcpOptionCode.IPAddressLeaseTime, Seconds(uint.MaxValue));
            yield break;
        }
        var seconds = (uint)Math.Min(time.TotalSeconds, uint.MaxValue - 1);
        yield return DhcpOption.Create(DhcpOptionCode.IPAddressLeaseTime, Seconds(seconds));
        yield return DhcpOption.Create(DhcpOptionCode.RenewalTimeValue, Seconds(seconds / 2));
        yield return DhcpOption.Create(DhcpOptionCode.RebindingTimeValue, Seconds((uint)(seconds * 7UL / 8)));
    }

    private static byte[] Seconds(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    /// <summary>RFC 2132 §9.8: without a parameter request list the server chooses; NetBoot then sends everything
    /// configured, as dnsmasq does.</summary>
    private static bool IsWanted(HashSet<DhcpOptionCode>? asked, byte code) => asked is null || asked.Contains((DhcpOptionCode)code);

    /// <summary>Ordinary <c>dhcp-option</c>/<c>dhcp-option-force</c> lines for this client: a tagged line beats an untagged
    /// one for the same option and among equals the later line wins (spec §1.10).</summary>
    public static SortedDictionary<byte, DhcpOptionConfig> ConfiguredOptions(ServerConfig config, TagSet tags)
    {
        var winners = new SortedDictionary<byte, DhcpOptionConfig>();
        var eligible = config.Options
            .Select((option, index) => (option, index))
            .Where(x => x.option.Directive != DhcpOptionDirective.Pxe && x.option.VendorClass is null
                && x.option.EncapsulatingOption is null && x.option.VendorIdentifyingEnterprise is null && tags.Matches(x.option.Filter))
            .OrderBy(x => SourceOrder.Key(x.option.Source, config)).ThenBy(x => x.index)
            .Select(x => x.option);
        foreach (var option in eligible)
        {
            if (!winners.TryGetValue(option.Code, out var current) || current.Filter.IsEmpty || !option.Filter.IsEmpty)
            {
                winners[option.Code] = option;
            }
        }
        return winners;
    }

    /// <summary>dnsmasq: 0.0.0.0 in an address list means "the machine running dnsmasq".</summary>
    private static ImmutableArray<byte> WithLocalAddress(DhcpOptionConfig option, IPv4Address local)
    {
        if (!option.HasServerAddressPlaceholder || option.Value.Length % 4 != 0)
        {
            return option.Value;
        }
        var bytes = option.Value.ToArray();
        for (var i = 0; i < bytes.Length; i += 4)
        {
            if (bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 0 && bytes[i + 3] == 0)
            {
                local.WriteTo(bytes.AsSpan(i, 4));
            }
        }
        return [.. bytes];
    }

    /// <summary>Spec §1.8 (dnsmasq <c>do_options</c>): siaddr is this server unless dhcp-boot names one; file and server
    /// name go to options 67/66 when the client asked for them and <c>dhcp-no-override</c> is not set, else to the fixed
    /// fields (the encoder NUL-terminates them). Without dhcp-boot, <c>dhcp-option=67/66/server-ip-address</c> fill them.</summary>
    private static DhcpMessage BootFile(DhcpMessage reply, LeaseExchange exchange, SortedDictionary<byte, DhcpOptionConfig> configured, HashSet<DhcpOptionCode>? asked)
    {
        string? file, serverName;
        var boot = BootFileSelector.Find(exchange.Config, exchange.Classification.Tags);
        if (boot is not null)
        {
            (file, serverName) = (boot.FileName, boot.ServerName);
            if (boot.ServerAddress is { } server)
            {
                reply = reply with { ServerAddress = ServerAddress.Resolve(server) };
            }
        }
        else
        {
            file = Text(configured, (byte)DhcpOptionCode.BootFileName);
            serverName = Text(configured, (byte)DhcpOptionCode.TftpServerName);
            if (configured.TryGetValue(ServerIpAddressCode, out var siaddr) && siaddr.Value.Length >= 4)
            {
                reply = reply with { ServerAddress = IPv4Address.FromBytes(siaddr.Value.AsSpan(0, 4)) };
            }
        }
        var options = reply.Options;
        var mayMove = !exchange.Config.NoOverride && asked is not null;
        if (file is not null)
        {
            if (mayMove && asked!.Contains(DhcpOptionCode.BootFileName))
            {
                options = options.With(DhcpOptionCode.BootFileName, [.. Encoding.Latin1.GetBytes(file), 0]);
            }
            else
            {
                reply = reply with { BootFileName = file };
            }
        }
        if (serverName is not null)
        {
            if (mayMove && asked!.Contains(DhcpOptionCode.TftpServerName))
            {
                options = options.With(DhcpOptionCode.TftpServerName, [.. Encoding.Latin1.GetBytes(serverName), 0]);
            }
            else
            {
                reply = reply with { ServerName = serverName };
            }
        }
        return reply with { Options = options };
    }

    private static string? Text(SortedDictionary<byte, DhcpOptionConfig> configured, byte code) =>
        configured.TryGetValue(code, out var option) ? Encoding.Latin1.GetString(option.Value.AsSpan()).TrimEnd('\0') : null;

    /// <summary>Spec §1.8 / dnsmasq: a PXE client on an owned network gets its address, its menu and its boot file in one
    /// exchange: option 60 "PXEClient", 97 echoed, and for BIOS (arch &lt; 6) option 43 with the menu. UEFI firmware gets
    /// siaddr = this server and no option 43, and asks port 4011 for its menu, as on a proxy network.</summary>
    private static DhcpMessage PxeInSameReply(DhcpMessage reply, LeaseExchange exchange)
    {
        var config = exchange.Config;
        var request = exchange.Message;
        if (!config.IsPxeEnabled || !PxeClientInfo.TryRead(request.Options, config.PxeVendors, out var pxe) || pxe.Architecture is not { } architecture)
        {
            return reply;
        }
        var tags = exchange.Classification.Tags;
        var options = reply.Options.With(DhcpOptionCode.VendorClassIdentifier, Encoding.Latin1.GetBytes(pxe.VendorClass));
        if (pxe.HasMachineIdentifier)
        {
            options = options.With(new DhcpOption(DhcpOptionCode.ClientMachineIdentifier, pxe.MachineIdentifier));
        }
        reply = reply with { Options = options };
        if (pxe.IsUefi)
        {
            return reply with { ServerAddress = exchange.Local };
        }
        var configuredVendor = ConfiguredVendorOptions.Eligible(config, request.Options, tags);
        var menu = BootMenuBuilder.Build(architecture, tags, exchange.Local, config, configuredVendor);
        return PxeReply.WithVendorOptions(reply, menu.SubOptions);
    }
}
