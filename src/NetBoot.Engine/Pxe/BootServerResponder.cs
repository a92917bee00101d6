using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Pxe;

namespace NetBoot.Engine.Pxe;

/// <summary>The PXE boot-server role (PXE 2.1 §2.2.5 "Boot Server Discovery", dnsmasq L888-957, spec §1.6): a
/// DHCPREQUEST or DHCPINFORM whose option 43 holds sub-option 71 (boot item) asks for the boot file of one menu item.</summary>
public static class BootServerResponder
{
    /// <summary>The first sub-option 71 of option 43 with at least 4 bytes (dnsmasq <c>option_find1(…, 71, 4)</c>);
    /// its first 4 bytes, echoed verbatim in the reply.</summary>
    public static bool TryGetBootItem(DhcpOptionList options, out PxeBootItem item, out ImmutableArray<byte> raw)
    {
        item = default;
        raw = [];
        if (!options.TryGet(DhcpOptionCode.VendorSpecificInformation, out var data))
        {
            return false;
        }
        // A truncated tail is tolerated: the sub-options before it still count.
        PxeVendorOptions.TryDecode(data.AsSpan(), out var subOptions, out _);
        var sub = subOptions.FirstOrDefault(s => s.Code == PxeSubOptionCode.BootItem && s.Data.Length >= 4);
        if (sub.Data.IsDefault)
        {
            return false;
        }
        raw = sub.Data[..4];
        var span = raw.AsSpan();
        item = new PxeBootItem((ushort)((span[0] << 8) | span[1]), (ushort)((span[2] << 8) | span[3]));
        return true;
    }

    public static bool IsBootServerRequest(DhcpMessage message) =>
        message.MessageType is DhcpMessageType.Request or DhcpMessageType.Inform
        && TryGetBootItem(message.Options, out _, out _);

    public static Decision Respond(
        DhcpRequest request, ServerConfig config, Classification classification, PxeClientInfo pxe, ImmutableArray<RangeContext> ranges)
    {
        var message = request.Message;
        var client = message.ClientHardwareAddress;
        TryGetBootItem(message.Options, out var item, out var raw);
        if (classification.IsIgnored)
        {
            return NoReply(classification, NoReplyReason.Ignored,
                $"PXE client {client} on {request.Interface.Name} matches dhcp-ignore; its boot-server request is not answered");
        }
        if (item.WantsBootIntegrityServices)
        {
            return NoReply(classification, NoReplyReason.BootIntegrityServicesNotSupported,
                $"PXE client {client} asked for boot item {item.Type:x4} layer {item.Layer:x4} with BIS credentials (PXE BIS not supported)");
        }
        // dnsmasq: the service is looked up by type only; CSA and tags are not checked again.
        var service = config.PxeServices.FirstOrDefault(s => s.BootServerType == item.Type);
        if (service?.BaseName is null)
        {
            return NoReply(classification, NoReplyReason.NoBootService, service is null
                ? $"PXE client {client} asked for boot item type {item.Type} but no pxe-service has that type"
                : $"PXE client {client} asked for boot item type {item.Type} (\"{service.MenuText}\"), which has no boot file here (local boot or another boot server)");
        }
        var range = ranges.FirstOrDefault(r => r.Contains(message.ClientAddress) && classification.Tags.Matches(r.Range.Filter));
        if (range is null)
        {
            return NoReply(classification, NoReplyReason.NoMatchingRange,
                $"PXE client {client} asked for a boot file from {message.ClientAddress} (ciaddr), which is in no dhcp-range this server serves");
        }

        var reply = Build(request, config, classification.Tags, pxe, service, item, raw);
        var destination = ReplyAddressing.For(request, reply, config);
        return new SendReply(reply, destination, reply.BootFileName, ProxyDhcpResponder.MaximumLength(message))
        {
            Tags = classification.Tags.Names,
        };
    }

    /// <summary>yiaddr = ciaddr, ciaddr = 0, siaddr = the item's server or this host, file = basename (+ "." + layer
    /// when it has no dot); option 43 = {71 echoed, configured vendor sub-options (e.g. the pxe-prompt), END}. The
    /// configured sub-options are in dnsmasq's reply (lab capture bios-ipxe-proxy frame 15) though spec §1.6 omits them.</summary>
    public static DhcpMessage Build(
        DhcpRequest request, ServerConfig config, TagSet tags, PxeClientInfo pxe, PxeServiceConfig service, PxeBootItem item, ImmutableArray<byte> raw)
    {
        var message = request.Message;
        var local = request.Interface.Address;
        var reply = PxeReply.Create(message, DhcpMessageType.Ack, local, pxe) with
        {
            YourAddress = message.ClientAddress,
            ServerAddress = service.Server is { } server ? ServerAddress.Resolve(server) : local,
            BootFileName = PxeReply.BootFileName(service.BaseName!, item.Layer),
        };
        var configured = ConfiguredVendorOptions.Eligible(config, message.Options, tags);
        return PxeReply.WithVendorOptions(reply, [new PxeSubOption(PxeSubOptionCode.BootItem, raw), .. configured]);
    }

    private static NoReply NoReply(Classification classification, NoReplyReason reason, string detail) =>
        new(reason, detail) { Tags = classification.Tags.Names };
}
