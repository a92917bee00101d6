using System.Collections.Immutable;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Hosting.Probe;

/// <summary>One answer the probe saw, read the way PXE firmware reads it.</summary>
public sealed record ProbeOffer(
    IPv4Address Server,
    DhcpMessage Message,
    ImmutableArray<PxeMenuEntry> Menu,
    PxeMenuPrompt? Prompt,
    PxeDiscoveryControl? DiscoveryControl,
    ImmutableArray<PxeBootServer> BootServers,
    PxeBootItem? BootItem)
{
    /// <summary>An ordinary DHCP offer: it gives an address.</summary>
    public bool GivesAddress => !Message.YourAddress.IsZero && Message.ClientAddress.IsZero && Message.MessageType == DhcpMessageType.Offer;

    /// <summary>PXE 2.1 §2.2.4: option 60 "PXEClient" marks a PXE (proxy) answer.</summary>
    public bool IsPxe => Message.Options.TryGetString(DhcpOptionCode.VendorClassIdentifier, out var vendor) && vendor.StartsWith("PXEClient", StringComparison.Ordinal);

    public bool HasMenu => !Menu.IsDefaultOrEmpty;

    /// <summary>The boot file as firmware takes it: the <c>file</c> field, else option 67.</summary>
    public string BootFile =>
        Message.BootFileName.Length > 0 ? Message.BootFileName
        : Message.Options.TryGetString(DhcpOptionCode.BootFileName, out var file) ? file : "";

    /// <summary>Where the boot file comes from: <c>siaddr</c>, else option 66 is not an address, else the server.</summary>
    public IPv4Address NextServer => !Message.ServerAddress.IsZero ? Message.ServerAddress : Server;

    public static ProbeOffer Read(DhcpMessage message, IPv4Address source)
    {
        ArgumentNullException.ThrowIfNull(message);
        var server = message.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var identifier) ? identifier : source;
        ImmutableArray<PxeMenuEntry> menu = [];
        ImmutableArray<PxeBootServer> bootServers = [];
        PxeMenuPrompt? prompt = null;
        PxeDiscoveryControl? control = null;
        PxeBootItem? item = null;
        if (message.Options.TryGet(DhcpOptionCode.VendorSpecificInformation, out var data)
            && PxeVendorOptions.TryDecode(data.AsSpan(), out var subOptions, out _))
        {
            foreach (var sub in subOptions)
            {
                switch (sub.Code)
                {
                    case PxeSubOptionCode.BootMenu when PxeVendorOptions.TryReadBootMenu(sub.Data.AsSpan(), out var entries):
                        menu = entries;
                        break;
                    case PxeSubOptionCode.MenuPrompt when PxeVendorOptions.TryReadMenuPrompt(sub.Data.AsSpan(), out var p):
                        prompt = p;
                        break;
                    case PxeSubOptionCode.BootServers when PxeVendorOptions.TryReadBootServers(sub.Data.AsSpan(), out var servers):
                        bootServers = servers;
                        break;
                    case PxeSubOptionCode.DiscoveryControl when sub.Data.Length == 1:
                        // EDK2 keeps the last copy of sub-option 6 (spec §1.5); so does the probe.
                        control = (PxeDiscoveryControl)sub.Data[0];
                        break;
                }
            }
            if (PxeVendorOptions.TryGetBootItem(subOptions, out var bootItem))
            {
                item = bootItem;
            }
        }
        return new ProbeOffer(server, message, menu, prompt, control, bootServers, item);
    }
}
