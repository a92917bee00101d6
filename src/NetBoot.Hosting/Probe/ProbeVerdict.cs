using System.Collections.Immutable;
using System.Globalization;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Pxe;

namespace NetBoot.Hosting.Probe;

/// <summary>What the probe saw: every answer to its DISCOVER and, when it followed up on port 4011, the boot
/// server's answer.</summary>
/// <param name="FollowUpItem">The boot item asked for on 4011 (null: a plain ProxyDHCPREQUEST, or none sent).</param>
/// <param name="FollowUpSkipped">Why no follow-up was sent, when none was.</param>
/// <param name="FileCheck">What fetching the start of the boot file showed (null: not fetched).</param>
/// <param name="FileCheckSkipped">Why the boot file was not fetched although there is one to load.</param>
public sealed record ProbeResult(
    ProbeFirmware Firmware,
    ImmutableArray<ProbeOffer> Offers,
    ProbeOffer? FollowUp,
    bool FollowUpSent,
    PxeBootItem? FollowUpItem,
    string? FollowUpSkipped,
    BootFileCheck? FileCheck = null,
    string? FileCheckSkipped = null)
{
    /// <summary>The boot file the firmware would load was asked for and could not be fetched.</summary>
    public bool BootFileFailed => FileCheck is { IsSuccess: false };
}

/// <summary>The plain-language end of <c>netboot probe</c>: what real firmware would do with these answers, with
/// the PXE error a user would see when it would not boot (PXE 2.1 appendix: PXE-E51, E53, E55).</summary>
public static class ProbeVerdict
{
    public static ImmutableArray<string> Explain(ProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. Steps(result), .. BootFileLines(result)];
    }

    /// <summary>The boot file the firmware would go on to load, by the same path as the verdict (null where it stops
    /// before: no address, local boot, no boot file, no answer on 4011).</summary>
    public static BootFileTarget? BootFileToLoad(ProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var address = result.Offers.FirstOrDefault(o => o.GivesAddress);
        if (address is null)
        {
            return null;
        }
        var pxe = result.Offers.Where(o => o.IsPxe).OrderByDescending(o => o.GivesAddress).FirstOrDefault();
        if (pxe is null)
        {
            return address.BootFile.Length > 0 ? new BootFileTarget(address.BootFile, address.NextServer) : null;
        }
        if (pxe.HasMenu && pxe.Menu[0].Type == 0)
        {
            return null;
        }
        var askedOn4011 = pxe.HasMenu
            || (ProbeProfile.IsUefi(result.Firmware) && !pxe.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation))
            || pxe.BootFile.Length == 0;
        if (!askedOn4011)
        {
            return new BootFileTarget(pxe.BootFile, pxe.NextServer);
        }
        return result.FollowUp is { BootFile.Length: > 0 } ack ? new BootFileTarget(ack.BootFile, ack.NextServer) : null;
    }

    /// <summary>"pxelinux.0 on 10.0.0.2: the firmware loads it by TFTP", or for a URL (iPXE, UEFI HTTP Boot) "… over HTTP".</summary>
    private static string Loads(ProbeOffer offer) =>
        new BootFileTarget(offer.BootFile, offer.NextServer).IsUrl
            ? $"{offer.BootFile}: the firmware loads it over HTTP"
            : $"{offer.BootFile} on {offer.NextServer}: the firmware loads it by TFTP";

    private static IEnumerable<string> BootFileLines(ProbeResult result)
    {
        if (result.FileCheckSkipped is { } skipped)
        {
            yield return $"(boot file not fetched: {skipped})";
        }
        if (result.FileCheck is not { } check)
        {
            yield break;
        }
        var target = check.Target;
        var size = check.Size is { } known ? string.Create(CultureInfo.InvariantCulture, $"; file size {known} bytes") : "";
        if (check.IsSuccess)
        {
            yield return target.IsUrl
                ? $"HTTP HEAD {target.File} succeeded{size}: the firmware can fetch it"
                : string.Create(CultureInfo.InvariantCulture, $"fetched the first TFTP block of {target.File} from {target.Server} ({check.Bytes} bytes{size}): the boot file is there");
            yield break;
        }
        var source = target.IsUrl ? target.File : $"{target.File} from {target.Server}";
        yield return check.FirmwareError is { } error
            ? $"cannot fetch {source}: {check.Failure}: the firmware stops with {error}"
            : $"cannot fetch {source}: {check.Failure}: the firmware cannot load its boot file";
    }

    private static ImmutableArray<string> Steps(ProbeResult result)
    {
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
                ? $"no PXE answer, but the DHCP offer names boot file {Loads(address)}"
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
        else if (ProbeProfile.IsUefi(result.Firmware) && !pxe.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation))
        {
            // dnsmasq parity (spec §1.4): no option 43 on port 67 is what sends UEFI firmware to port 4011.
            lines.Add($"the {kind} {pxe.Server} sends no option 43: UEFI firmware asks {pxe.NextServer}:4011 for its boot file");
        }
        else if (pxe.BootFile.Length > 0)
        {
            lines.Add($"the {kind} {pxe.Server} names boot file {Loads(pxe)}");
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
            ? $"port 4011 ({ack.Server}) answers {asked} with boot file {Loads(ack)}"
            : $"port 4011 ({ack.Server}) answers without a boot file: the firmware stops with PXE-E53 (No boot filename received)";
    }
}
