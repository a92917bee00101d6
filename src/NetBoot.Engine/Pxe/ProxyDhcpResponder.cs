using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Engine.Pxe;

/// <summary>The proxyDHCP role (PXE 2.1 §2.2.4, dnsmasq <c>dhcp_reply</c> proxy branch, spec §1.3–1.4 and §1.8):
/// a DHCPDISCOVER on port 67 gets a proxy DHCPOFFER, a ProxyDHCPREQUEST on port 4011 (no sub-option 71) a DHCPACK
/// with the same content. Neither carries an address (yiaddr = 0).</summary>
/// <remarks>NetBoot extensions beyond dnsmasq: <c>pxe-uefi-direct</c> answers UEFI firmware that never goes to 4011
/// (HP DL380 Gen9, google/netboot#43) with a plain {6=8} + siaddr + file offer as smee does; UEFI HTTP Boot clients
/// ("HTTPClient") get "HTTPClient" echoed in option 60 and a URL as the boot file.</remarks>
public static class ProxyDhcpResponder
{
    public static Decision Respond(
        DhcpRequest request, ServerConfig config, Classification classification, PxeClientInfo pxe, ImmutableArray<RangeContext> ranges)
    {
        var message = request.Message;
        if (pxe.Architecture is not { } architecture)
        {
            return NoReply(classification, new ProxySilence(ProxySilenceReason.NoClientArchitecture));
        }
        if (IsRequestOnServerPort(request))
        {
            return NoReply(classification, new ProxySilence(ProxySilenceReason.RequestOnServerPort));
        }
        if (!IsProxyMessage(request))
        {
            return NoReply(classification, new ProxySilence(ProxySilenceReason.NotAProxyMessage));
        }
        var range = ranges.FirstOrDefault(r => r.IsProxy && classification.Tags.Matches(r.Range.Filter));
        if (range is null)
        {
            var reason = ranges.Any(r => r.IsProxy) ? ProxySilenceReason.ProxyRangeTagsNotMet : ProxySilenceReason.NoProxyRange;
            return NoReply(classification, new ProxySilence(reason, message.RelayAgentAddress));
        }

        classification = classification.WithRangeTag(range.Range.SetTag, config);
        if (classification.IsIgnored)
        {
            // dnsmasq logs "PXE(eth0) <mac> proxy-ignored" and sends nothing.
            return NoReply(classification, new ProxySilence(ProxySilenceReason.Ignored));
        }

        var reply = Build(request, config, classification.Tags, pxe, architecture);
        if (pxe.IsHttpClient && !IsUrl(reply.BootFileName))
        {
            // UEFI 2.5 §24.7.2: an HTTP Boot client discards an offer without a URI; say why instead of sending one.
            return NoReply(classification, new ProxySilence(ProxySilenceReason.NoHttpBootUrl));
        }
        var destination = ReplyAddressing.For(request, reply, config);
        // dnsmasq applies dhcp-reply-delay to proxy replies too (PXE ROMs that miss an early OFFER).
        return new SendReply(reply, destination, ReplyAnswer.Proxy(architecture), MaximumLength(message))
        {
            Tags = classification.Tags.Names,
            Delay = Dhcp.ReplyDelay.For(config, classification.Tags),
        };
    }

    /// <summary>dnsmasq L963-1047: the fixed fields, then 53, 54, 60, 97, 43 (if any), then <c>dhcp-option-pxe</c> options.</summary>
    public static DhcpMessage Build(DhcpRequest request, ServerConfig config, TagSet tags, PxeClientInfo pxe, ushort architecture)
    {
        var message = request.Message;
        var local = request.Interface.Address;
        var isDiscover = message.MessageType == DhcpMessageType.Discover;
        var reply = PxeReply.Create(message, isDiscover ? DhcpMessageType.Offer : DhcpMessageType.Ack, local, pxe);

        // dnsmasq: an OFFER (or an ACK to a client without an address) is broadcast; an ACK to ciaddr keeps it.
        reply = isDiscover || message.ClientAddress.IsZero
            ? reply with { ClientAddress = IPv4Address.Any, Flags = (ushort)(message.Flags | 0x8000) }
            : reply with { ClientAddress = message.ClientAddress };

        // dnsmasq parity (2.76): UEFI firmware (arch >= 6) is sent to this server's port 4011 for its menu: siaddr = self.
        var redirectTo4011 = pxe.IsUefi;
        if (redirectTo4011)
        {
            reply = reply with { ServerAddress = local };
        }

        var single = UefiSingleService(architecture, tags, config);
        var direct = !request.ArrivedOnPxePort && redirectTo4011 && !pxe.IsHttpClient && WantsDirectOffer(tags, config);
        if (single is not null && (request.ArrivedOnPxePort || direct))
        {
            reply = ApplyUefiWorkaround(reply, single, local);
        }
        else if (single is null && BootFileSelector.Find(config, tags) is { } boot)
        {
            reply = ApplyBootFile(reply, boot);
            if (reply.ServerAddress.IsZero && IsUrl(reply.BootFileName))
            {
                // NetBoot deviation from dnsmasq (which leaves siaddr 0 here): iPXE's dhcp_has_pxeopts() counts a
                // ProxyDHCP answer only with siaddr AND a file, so a BIOS iPXE given a URL would say "Nothing to
                // boot" (lab: ipxe-qemu 1.0.0+git-20190125). A URL names its own server; siaddr only has to be set.
                reply = reply with { ServerAddress = local };
            }
        }

        if (direct && reply.BootFileName.Length > 0)
        {
            // pxe-uefi-direct (smee's answer): discovery control bit 3 "use the boot file in the offer", no menu, so
            // firmware that never asks 4011 boots from this OFFER. Without a file the usual redirect is kept.
            reply = PxeReply.WithVendorOptions(reply, [PxeVendorOptions.DiscoveryControl(PxeDiscoveryControl.UseBootFileFromOffer)]);
            return PxeReply.WithPxeOptions(reply, config, tags);
        }

        // dnsmasq parity: UEFI on 67 gets NO option 43; its absence is what makes EDK2 ask siaddr:4011 ("BINL").
        // With the single-service workaround the 4011 ACK carries file/sname/siaddr instead of a menu.
        if ((request.ArrivedOnPxePort && single is null) || !redirectTo4011)
        {
            var configured = ConfiguredVendorOptions.Eligible(config, message.Options, tags);
            var menu = BootMenuBuilder.Build(architecture, tags, local, config, configured);
            reply = PxeReply.WithVendorOptions(reply, menu.SubOptions);
        }
        return PxeReply.WithPxeOptions(reply, config, tags);
    }

    /// <summary><c>pxe-uefi-direct</c>: a line without tags applies to every UEFI client, a tagged one when its tags match.</summary>
    public static bool WantsDirectOffer(TagSet tags, ServerConfig config) =>
        config.UefiDirectOffers.Any(d => tags.Matches(d.Filter));

    /// <summary>UEFI HTTP Boot takes an absolute http:// or https:// URI as its boot file.</summary>
    public static bool IsUrl(string file) =>
        file.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || file.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>dnsmasq <c>pxe_uefi_workaround</c> ("many UEFI PXE implementations have badly broken menu code"): for
    /// arch >= 6, exactly one <c>pxe-service</c> with that CSA, a basename and matching tags.</summary>
    public static PxeServiceConfig? UefiSingleService(ushort architecture, TagSet tags, ServerConfig config)
    {
        if (architecture < PxeClientInfo.FirstUefiArchitecture)
        {
            return null;
        }
        var candidates = config.PxeServices
            .Where(s => s.Architecture == architecture && s.BaseName is not null && tags.Matches(s.Filter))
            .Take(2)
            .ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    /// <summary>On 4011: siaddr = the item's server (or this host), sname = that address as text (or the server name),
    /// file = basename + ".0" unless it has a dot (layer 0 is assumed).</summary>
    private static DhcpMessage ApplyUefiWorkaround(DhcpMessage reply, PxeServiceConfig service, IPv4Address local)
    {
        var file = PxeReply.BootFileName(service.BaseName!, 0);
        if (service.Server is { } server && ServerAddress.IsName(server))
        {
            return reply with { ServerAddress = ServerAddress.Resolve(server), ServerName = server, BootFileName = file };
        }
        var address = service.Server is { } literal ? ServerAddress.Resolve(literal) : local;
        return reply with { ServerAddress = address, ServerName = address.ToString(), BootFileName = file };
    }

    /// <summary>Spec §1.8: dhcp-boot's file goes in the BOOTP <c>file</c> field (never option 67, whatever
    /// <c>dhcp-no-override</c> says) and its server address in siaddr; its sname is not used in proxy replies.</summary>
    private static DhcpMessage ApplyBootFile(DhcpMessage reply, DhcpBootConfig boot)
    {
        if (boot.ServerAddress is { } server)
        {
            reply = reply with { ServerAddress = ServerAddress.Resolve(server) };
        }
        return reply with { BootFileName = boot.FileName };
    }

    private static bool IsProxyMessage(DhcpRequest request) =>
        request.Message.MessageType == DhcpMessageType.Discover
        || (request.Message.MessageType == DhcpMessageType.Request && request.ArrivedOnPxePort);

    private static bool IsRequestOnServerPort(DhcpRequest request) =>
        request.Message.MessageType == DhcpMessageType.Request && !request.ArrivedOnPxePort;

    /// <summary>Option 57 (RFC 2132 §9.10), never below the 576 every client must accept.</summary>
    public static int MaximumLength(DhcpMessage message) =>
        message.Options.TryGetUInt16(DhcpOptionCode.MaximumDhcpMessageSize, out var size) ? Math.Max(576, (int)size) : 576;

    private static NoReply NoReply(Classification classification, ProxySilence silence) =>
        Engine.NoReply.Of(silence, classification.Tags.Names);
}
