using System.Collections.Immutable;
using System.Globalization;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Pxe;

namespace NetBoot.Hosting.Probe;

/// <summary>What the probe saw: every answer to its DISCOVER and, when it followed up on port 4011, the boot
/// server's answer.</summary>
/// <param name="FollowUpItem">The boot item asked for on 4011 (null: a plain ProxyDHCPREQUEST, or none sent).</param>
/// <param name="FollowUpSkipped">Why no follow-up was sent, when none was.</param>
public sealed record ProbeResult(
    ProbeFirmware Firmware,
    ImmutableArray<ProbeOffer> Offers,
    ProbeOffer? FollowUp,
    bool FollowUpSent,
    PxeBootItem? FollowUpItem,
    string? FollowUpSkipped);

/// <summary>The plain-language end of <c>netboot probe</c>: what real firmware would do with these answers, with
/// the PXE error a user would see when it would not boot (PXE 2.1 appendix: PXE-E51, E53, E55).</summary>
public static class ProbeVerdict
{
    public static ImmutableArray<string> Explain(ProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lines = ImmutableArray.CreateBuilder<string>();
        var address = result.Offers.FirstOrDefault(o => o.GivesAddress);
        var pxe = result.Offers.Where(o => o.IsPxe).OrderByDescending(o => o.GivesAddress).FirstOrDefault();
        if (address is null)
        {
            lines.Add(pxe is null
                ? "no DHCP server answered: the firmware stops with PXE-E51 (No DHCP or proxyDHCP offers were received)"
                : $"only a proxyDHCP answer (from {pxe.Server}), no address: the firmware stops with PXE-E51; is the network's DHCP server reachable?");
            return lines.ToImmutable();
        }
        lines.Add($"takes address {address.Message.YourAddress} from the DHCP server {address.Server}");
        if (pxe is null)
        {
            lines.Add(address.BootFile.Length > 0
                ? $"no PXE answer, but the DHCP offer names boot file {address.BootFile} on {address.NextServer}: the firmware loads it by TFTP"
                : "no PXE answer and no boot file: the firmware stops with PXE-E53 (No boot filename received); is the proxyDHCP server on this network, and does its dhcp-range match?");
            return lines.ToImmutable();
        }
        var kind = pxe.GivesAddress ? "DHCP server" : "proxyDHCP server";
        if (pxe.HasMenu)
        {
            var menu = string.Join(", ", pxe.Menu.Select((e, i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1}. \"{e.Description}\"")));
            lines.Add($"the {kind} {pxe.Server} offers a menu: {menu}");
            if (pxe.Prompt is { } prompt)
            {
                lines.Add(prompt.Timeout switch
                {
                    0 => $"boots the first entry at once (prompt \"{prompt.Text}\" with timeout 0)",
                    255 => $"shows \"{prompt.Text}\" and waits for a key (timeout 255 = forever)",
                    _ => string.Create(CultureInfo.InvariantCulture, $"shows \"{prompt.Text}\" for {prompt.Timeout} s, then boots \"{pxe.Menu[0].Description}\""),
                });
            }
            if (pxe.Menu[0].Type == 0)
            {
                lines.Add("the first entry is type 0: the firmware leaves network boot and boots from the local disk");
                return lines.ToImmutable();
            }
        }
        else if (result.Firmware == ProbeFirmware.Uefi && !pxe.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation))
        {
            // dnsmasq parity (spec §1.4): no option 43 on port 67 is what sends UEFI firmware to port 4011.
            lines.Add($"the {kind} {pxe.Server} sends no option 43: UEFI firmware asks {pxe.NextServer}:4011 for its boot file");
        }
        else if (pxe.BootFile.Length > 0)
        {
            lines.Add($"the {kind} {pxe.Server} names boot file {pxe.BootFile} on {pxe.NextServer}: the firmware loads it by TFTP");
            return lines.ToImmutable();
        }
        else
        {
            lines.Add($"the {kind} {pxe.Server} sends neither a menu nor a boot file: the firmware asks {pxe.NextServer}:4011");
        }
        lines.AddRange(FollowUp(result));
        return lines.ToImmutable();
    }

    private static IEnumerable<string> FollowUp(ProbeResult result)
    {
        if (!result.FollowUpSent)
        {
            yield return $"(not followed up on port 4011: {result.FollowUpSkipped})";
            yield break;
        }
        var asked = result.FollowUpItem is { } item ? string.Create(CultureInfo.InvariantCulture, $"boot item 0x{item.Type:x4}") : "the ProxyDHCPREQUEST";
        if (result.FollowUp is not { } ack)
        {
            yield return $"no answer on port 4011 to {asked}: the firmware stops with PXE-E55 (ProxyDHCP service did not reply to request on port 4011)";
            yield break;
        }
        if (ack.BootFile.Length == 0 && ack.HasMenu)
        {
            yield return $"port 4011 ({ack.Server}) answers with a menu of {ack.Menu.Length} entries: the firmware shows it and asks again for the entry chosen";
            yield break;
        }
        yield return ack.BootFile.Length > 0
            ? $"port 4011 ({ack.Server}) answers {asked} with boot file {ack.BootFile} on {ack.NextServer}: the firmware loads it by TFTP"
            : $"port 4011 ({ack.Server}) answers without a boot file: the firmware stops with PXE-E53 (No boot filename received)";
    }
}
