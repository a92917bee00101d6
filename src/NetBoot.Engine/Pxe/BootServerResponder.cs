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
        TryGetBootItem(message.Options, out var item, out var raw);
        if (classification.IsIgnored)
        {
            return NoReply(classification, new ProxySilence(ProxySilenceReason.Ignored, BootItem: item));
        }
        if (item.WantsBootIntegrityServices)
        {
            return NoReply(classification, new ProxySilence(ProxySilenceReason.BootIntegrityServices, BootItem: item));
        }
        // dnsmasq: the service is looked up by type only; CSA and tags are not checked again.
        var service = config.PxeServices.FirstOrDefault(s => s.BootServerType == item.Type);
        if (service?.BaseName is null)
        {
            var reason = service is null ? ProxySilenceReason.NoServiceOfType : ProxySilenceReason.ServiceWithoutBootFile;
            return NoReply(classification, new ProxySilence(reason, BootItem: item));
        }
        var range = ranges.FirstOrDefault(r => r.Contains(message.ClientAddress) && classification.Tags.Matches(r.Range.Filter));
        if (range is null)
        {
            return NoReply(classification, new ProxySilence(ProxySilenceReason.ClientAddressNotServed, message.ClientAddress, item));
        }

        var reply = Build(request, config, classification.Tags, pxe, service, item, raw);
        var destination = ReplyAddressing.For(request, reply, config);
        return new SendReply(reply, destination, ReplyAnswer.BootServer(item, pxe.Architecture), ProxyDhcpResponder.MaximumLength(message))
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

    private static NoReply NoReply(Classification classification, ProxySilence silence) =>
        Engine.NoReply.Of(silence, classification.Tags.Names);
}
