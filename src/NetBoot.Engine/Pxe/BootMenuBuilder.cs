using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Engine.Pxe;

/// <summary>The option-43 content of a proxy OFFER/ACK, before encoding.</summary>
/// <param name="SubOptions">In wire order, without the END sub-option.</param>
/// <param name="ItemCount">Menu entries shown to this client.</param>
/// <param name="IsTooLarge">dnsmasq "PXE menu too large": the menu (or boot-server list) would not fit in 253 bytes,
/// so only the configured vendor sub-options are sent.</param>
public sealed record BootMenu(ImmutableArray<PxeSubOption> SubOptions, int ItemCount, bool IsTooLarge);

/// <summary>dnsmasq <c>pxe_opts</c> (spec §1.5): synthesized 6 (discovery control), 10 (prompt, only when no configured
/// prompt applies), 8 (boot servers), 9 (menu), then the configured vendor sub-options in reverse configuration order.</summary>
public static class BootMenuBuilder
{
    /// <summary>Option 43 holds 255 bytes; a sub-option's own code and length take 2, so its data holds 253.</summary>
    public const int MaximumSubOptionData = 253;

    /// <summary>dnsmasq: without <c>pxe-prompt</c>, "PXE" with timeout 255 (wait) when there is a choice, else 0.</summary>
    public const string SynthesizedPromptText = "PXE";

    public static BootMenu Build(
        ushort architecture, TagSet tags, IPv4Address local, ServerConfig config, ImmutableArray<PxeSubOption> configured)
    {
        var services = config.PxeServices.Where(s => s.Architecture == architecture && tags.Matches(s.Filter)).ToList();
        if (!TryEncodeMenu(services, out var menu) || !TryEncodeBootServers(services, local, out var servers))
        {
            return new BootMenu(configured, services.Count, IsTooLarge: true);
        }

        var subOptions = ImmutableArray.CreateBuilder<PxeSubOption>();
        subOptions.Add(PxeVendorOptions.DiscoveryControl(DiscoveryControl(services)));
        if (!configured.Any(s => s.Code == PxeSubOptionCode.MenuPrompt))
        {
            var timeout = services.Count > 1 ? byte.MaxValue : (byte)0;
            subOptions.Add(PxeVendorOptions.MenuPrompt(new PxeMenuPrompt(timeout, SynthesizedPromptText)));
        }
        if (services.Count > 0 && servers.Length > 0)
        {
            subOptions.Add(new PxeSubOption(PxeSubOptionCode.BootServers, servers));
        }
        if (services.Count > 0)
        {
            subOptions.Add(new PxeSubOption(PxeSubOptionCode.BootMenu, menu));
        }
        subOptions.AddRange(configured);
        return new BootMenu(subOptions.ToImmutable(), services.Count, IsTooLarge: false);
    }

    /// <summary>PXE 2.1 §2.2.5 / EDK2 <c>PxeBcDhcp4.h</c>: bit0 disables broadcast discovery, bit1 multicast (dnsmasq
    /// supports neither, so 3); 2 when an item has a non-zero type but no known server (allow broadcast for it);
    /// 8 (bit3: use the boot file in the offer) when no item applies to this client.</summary>
    public static PxeDiscoveryControl DiscoveryControl(IReadOnlyCollection<PxeServiceConfig> services)
    {
        if (services.Count == 0)
        {
            return PxeDiscoveryControl.UseBootFileFromOffer;
        }
        var needsBroadcast = services.Any(s => BootServerOf(s, IPv4Address.Broadcast).IsZero && s.BootServerType != 0);
        return needsBroadcast
            ? PxeDiscoveryControl.DisableMulticastDiscovery
            : PxeDiscoveryControl.DisableBroadcastDiscovery | PxeDiscoveryControl.DisableMulticastDiscovery;
    }

    /// <summary>Sub-option 9: <c>type(2) | len(1) | text</c> per item in configuration order; dnsmasq refuses an item
    /// whose entry would reach 253 bytes in total.</summary>
    private static bool TryEncodeMenu(List<PxeServiceConfig> services, out ImmutableArray<byte> menu)
    {
        var bytes = ImmutableArray.CreateBuilder<byte>();
        foreach (var service in services)
        {
            var text = Encoding.UTF8.GetBytes(service.MenuText);
            if (bytes.Count + text.Length + 3 >= MaximumSubOptionData)
            {
                menu = [];
                return false;
            }
            AddUInt16(bytes, service.BootServerType);
            bytes.Add((byte)text.Length);
            bytes.AddRange(text);
        }
        menu = bytes.ToImmutable();
        return true;
    }

    /// <summary>Sub-option 8: <c>type(2) | count=1 | IPv4</c> for each item with a known server: this server for a
    /// basename, else the configured server. Local boot (type 0 without a server) contributes nothing.</summary>
    private static bool TryEncodeBootServers(List<PxeServiceConfig> services, IPv4Address local, out ImmutableArray<byte> servers)
    {
        var bytes = ImmutableArray.CreateBuilder<byte>();
        Span<byte> four = stackalloc byte[4];
        foreach (var service in services)
        {
            var server = BootServerOf(service, local);
            if (server.IsZero)
            {
                continue;
            }
            if (bytes.Count + 3 + 4 >= MaximumSubOptionData)
            {
                servers = [];
                return false;
            }
            AddUInt16(bytes, service.BootServerType);
            bytes.Add(1);
            server.WriteTo(four);
            bytes.AddRange(four);
        }
        servers = bytes.ToImmutable();
        return true;
    }

    /// <summary>dnsmasq: a basename is served by this host (the arrival interface's address); otherwise the item's
    /// server, or 0.0.0.0 (unknown) when none is given.</summary>
    public static IPv4Address BootServerOf(PxeServiceConfig service, IPv4Address local)
    {
        if (service.BaseName is not null)
        {
            return local;
        }
        return service.Server is { } server ? ServerAddress.Resolve(server) : IPv4Address.Any;
    }

    private static void AddUInt16(ImmutableArray<byte>.Builder bytes, ushort value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }
}
