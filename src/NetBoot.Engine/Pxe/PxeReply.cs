using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Engine.Pxe;

/// <summary>What the proxy and boot-server replies share (dnsmasq <c>clear_packet</c> and <c>pxe_misc</c>).</summary>
public static class PxeReply
{
    /// <summary>A BOOTREPLY that keeps the request's xid, secs, flags, giaddr and chaddr (dnsmasq reuses the request
    /// buffer), with <c>ciaddr</c>/<c>yiaddr</c>/<c>siaddr</c> zero, <c>sname</c>/<c>file</c> empty and options 53, 54,
    /// 60 and 97 (only when the client sent a 17-byte one).</summary>
    public static DhcpMessage Create(DhcpMessage request, DhcpMessageType type, IPv4Address local, PxeClientInfo pxe)
    {
        var options = new List<DhcpOption>
        {
            DhcpOption.Create(DhcpOptionCode.DhcpMessageType, [(byte)type]),
            // RFC 2131 §4.3.1: the server identifier is the address the client can reach us at: the arrival interface's.
            DhcpOption.Create(DhcpOptionCode.ServerIdentifier, local.ToBytes()),
            // PXE 2.1 §2.2.5: a proxy/boot server names itself with option 60 "PXEClient" (the matched pxe-vendor).
            DhcpOption.Create(DhcpOptionCode.VendorClassIdentifier, Encoding.Latin1.GetBytes(pxe.VendorClass)),
        };
        if (pxe.HasMachineIdentifier)
        {
            // dnsmasq parity: echo option 97 only when it is a well-formed 17-byte GUID option.
            options.Add(new DhcpOption(DhcpOptionCode.ClientMachineIdentifier, pxe.MachineIdentifier));
        }
        return new DhcpMessage
        {
            Operation = BootOperation.BootReply,
            HardwareType = request.HardwareType,
            HardwareAddressLength = request.HardwareAddressLength,
            Hops = request.Hops,
            TransactionId = request.TransactionId,
            SecondsElapsed = request.SecondsElapsed,
            Flags = request.Flags,
            RelayAgentAddress = request.RelayAgentAddress,
            ClientHardwareAddressField = request.ClientHardwareAddressField,
            Options = new DhcpOptionList(options),
        };
    }

    /// <summary>Option 43 from PXE sub-options, END-terminated. It may exceed 255 bytes: the encoder then writes several
    /// consecutive option-43 instances (RFC 3396), as dnsmasq's <c>do_encap_opts</c> does.</summary>
    public static DhcpMessage WithVendorOptions(DhcpMessage reply, IEnumerable<PxeSubOption> subOptions) =>
        reply with
        {
            Options = reply.Options.With(new DhcpOption(DhcpOptionCode.VendorSpecificInformation, PxeVendorOptions.Encode(subOptions))),
        };

    /// <summary>Since dnsmasq 2.91 only <c>dhcp-option-pxe</c> options go into proxy and boot-server replies (never an
    /// ordinary <c>dhcp-option</c> such as 17/66/67): appended after option 43. A tagged line beats an untagged one for the
    /// same option, and the later line wins among equals. <c>encap:N</c> lines become sub-options of option N.</summary>
    public static DhcpMessage WithPxeOptions(DhcpMessage reply, ServerConfig config, TagSet tags)
    {
        var eligible = config.Options
            .Select((option, index) => (option, index))
            .Where(x => x.option.Directive == DhcpOptionDirective.Pxe && x.option.VendorClass is null
                && x.option.VendorIdentifyingEnterprise is null && tags.Matches(x.option.Filter))
            .OrderBy(x => SourceOrder.Key(x.option.Source, config)).ThenBy(x => x.index)
            .Select(x => x.option)
            .ToList();

        var options = reply.Options;
        foreach (var option in Winners(eligible.Where(o => o.EncapsulatingOption is null)))
        {
            options = options.Contains((DhcpOptionCode)option.Code) ? options : options.With(new DhcpOption((DhcpOptionCode)option.Code, option.Value));
        }
        foreach (var group in eligible.Where(o => o.EncapsulatingOption is not null).GroupBy(o => o.EncapsulatingOption!.Value))
        {
            var code = (DhcpOptionCode)group.Key;
            if (!options.Contains(code))
            {
                var subOptions = Winners(group).Reverse().Select(o => new PxeSubOption((PxeSubOptionCode)o.Code, o.Value));
                options = options.With(new DhcpOption(code, PxeVendorOptions.Encode(subOptions)));
            }
        }
        return reply with { Options = options };
    }

    private static IEnumerable<DhcpOptionConfig> Winners(IEnumerable<DhcpOptionConfig> inConfigOrder) =>
        inConfigOrder.GroupBy(o => o.Code).Select(g => g.LastOrDefault(o => !o.Filter.IsEmpty) ?? g.Last());

    /// <summary>dnsmasq (2.76, fixed in 2.78): a basename with no '.' anywhere gets <c>.&lt;layer&gt;</c>; with a dot it is
    /// used as is. Pitfall kept for parity: a dot in a directory name also suppresses the suffix.</summary>
    public static string BootFileName(string baseName, int layer) =>
        baseName.Contains('.', StringComparison.Ordinal) ? baseName : $"{baseName}.{layer}";
}
