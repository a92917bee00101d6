using System.CommandLine;
using System.Globalization;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Probe;
using NetBoot.Wire.Rendering;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot probe</c>: see the boot from the client's side. Acts as PXE firmware on one interface (with or
/// without an IPv4 address of its own), lists every offer, follows up on port 4011, fetches the first block of the boot
/// file and ends with what a real client would do. Exit code 0: the boot file can be loaded (or nothing more could be
/// checked); 3: no answer at all; 4: the boot file the firmware would load cannot be fetched.</summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var interfaceOption = new Option<string?>("--interface", "-i") { Description = "Interface to probe on, with or without an IPv4 address (default: the first non-loopback one that is up, preferring one with IPv4)." };
        var archOption = new Option<string>("--arch") { Description = "Firmware to act as: bios, uefi (x86-64), arm64 (ARM64 UEFI) or ipxe.", DefaultValueFactory = _ => "bios" };
        archOption.AcceptOnlyFromAmong("bios", "uefi", "arm64", "ipxe");
        var waitOption = new Option<double>("--wait") { Description = "Seconds to collect answers after each request.", DefaultValueFactory = _ => 3 };
        var verboseOption = new Option<bool>("--verbose", "-v") { Description = "Also print every answer decoded in full." };
        var noFetchOption = new Option<bool>("--no-fetch") { Description = "Do not fetch the first block of the boot file (no TFTP or HTTP request)." };
        var ipv6Option = new Option<bool>("--ipv6", "-6")
        {
            Description = "Act as UEFI PXEv6 firmware (x64, EDK2) instead: DHCPv6 SOLICIT/REQUEST from the interface's link-local address, then fetch the whole boot file of the bootfile-url (TFTP blksize 1228 windowsize 4, or HTTP). --arch does not apply.",
        };
        var command = new Command("probe", "Act as a PXE client: list every DHCP and proxyDHCP offer and say what firmware would do.")
        {
            interfaceOption, archOption, waitOption, verboseOption, noFetchOption, ipv6Option,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var name = result.GetValue(interfaceOption);
            if (ChooseInterface(HostInterface.ReadAll(), name, out var problem) is not { } nic)
            {
                await Console.Error.WriteLineAsync("netboot: " + problem).ConfigureAwait(false);
                return 1;
            }
            nic = await WaitForCarrierAsync(nic, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(ipv6Option))
            {
                return await Probe6Command.RunAsync(nic, TimeSpan.FromSeconds(result.GetValue(waitOption)), !result.GetValue(noFetchOption), cancellationToken).ConfigureAwait(false);
            }
            var firmware = Enum.Parse<ProbeFirmware>(result.GetValue(archOption)!, ignoreCase: true);
            var probe = new PxeProbe(nic, firmware, TimeSpan.FromSeconds(result.GetValue(waitOption)), TimeProvider.System)
            {
                FetchesBootFile = !result.GetValue(noFetchOption),
            };
            ProbeResult outcome;
            try
            {
                outcome = await probe.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                await Console.Error.WriteLineAsync($"netboot: cannot probe on {nic.Name}: {e.Message} (port 68 may be held by a DHCP client on that interface)").ConfigureAwait(false);
                return 2;
            }
            Console.Out.Write(Render(nic.Name, probe.ClientAddress.ToString(), outcome, result.GetValue(verboseOption)));
            return outcome.Offers.IsEmpty ? 3 : outcome.BootFileFailed ? 4 : 0;
        });
        return command;
    }

    /// <summary>How long the probe waits for the link of an interface just brought up (a NIC negotiating its link takes a
    /// second or three), as firmware waits for its link before the first DISCOVER.</summary>
    private static readonly TimeSpan CarrierPatience = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan CarrierPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>A DISCOVER sent before the link is there is lost: wait for the carrier (IFF_LOWER_UP), bounded; the
    /// interface read again, as its addresses may have come meanwhile.</summary>
    private static async Task<HostInterface> WaitForCarrierAsync(HostInterface nic, CancellationToken cancellationToken)
    {
        if (nic.HasCarrier)
        {
            return nic;
        }
        await Console.Error.WriteLineAsync($"netboot: waiting for the link of {nic.Name} (no carrier yet)").ConfigureAwait(false);
        var deadline = DateTime.UtcNow + CarrierPatience;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(CarrierPoll, cancellationToken).ConfigureAwait(false);
            if (HostInterface.ReadAll().FirstOrDefault(n => n.Index == nic.Index) is { HasCarrier: true } now)
            {
                return now;
            }
        }
        await Console.Error.WriteLineAsync($"netboot: no carrier on {nic.Name} after {CarrierPatience.TotalSeconds:0} s; probing anyway").ConfigureAwait(false);
        return nic;
    }

    /// <summary>The interface named (it must exist and be up: IFF_UP, decided on the flag, not on the operstate, which
    /// lags behind <c>ip link set up</c>), or the first non-loopback one that is up, preferring one with IPv4.</summary>
    internal static HostInterface? ChooseInterface(IReadOnlyList<HostInterface> interfaces, string? name, out string? problem)
    {
        var names = string.Join(", ", interfaces.Select(n => n.Name));
        if (name is null)
        {
            var up = interfaces.Where(n => n.IsUp && !n.IsLoopback).ToArray();
            problem = up.Length == 0 ? $"no interface is up to probe on (interfaces: {names}); name one with --interface" : null;
            return up.FirstOrDefault(n => n.HasIPv4) ?? up.FirstOrDefault();
        }
        var nic = interfaces.FirstOrDefault(n => n.Name == name);
        problem = nic is null ? $"interface {name} not found (interfaces: {names})"
            : !nic.IsUp ? $"interface {name} is down: bring it up first (ip link set {name} up)"
            : null;
        return problem is null ? nic : null;
    }

    internal static string Render(string interfaceName, string clientMac, ProbeResult result, bool verbose)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        text.WriteLine($"probe on {interfaceName} as {FirmwareName(result.Firmware)} firmware, MAC {clientMac}");
        text.WriteLine();
        text.WriteLine($"answers to DHCPDISCOVER: {result.Offers.Length}");
        foreach (var offer in result.Offers)
        {
            WriteOffer(text, offer, verbose);
        }
        if (result.FollowUpSent)
        {
            text.WriteLine();
            text.WriteLine(result.FollowUpItem is { } item
                ? $"boot-server request on port 4011 for boot item 0x{item.Type:x4} layer {item.Layer}:"
                : "ProxyDHCPREQUEST on port 4011:");
            if (result.FollowUp is { } ack)
            {
                WriteOffer(text, ack, verbose);
            }
            else
            {
                text.WriteLine("  no answer");
            }
        }
        text.WriteLine();
        text.WriteLine("verdict:");
        foreach (var line in ProbeVerdict.Explain(result))
        {
            text.WriteLine("  - " + line);
        }
        return text.ToString();
    }

    private static string FirmwareName(ProbeFirmware firmware) => firmware switch
    {
        ProbeFirmware.Arm64 => "ARM64 UEFI",
        ProbeFirmware.Ipxe => "iPXE",
        _ => firmware.ToString().ToUpperInvariant(),
    };

    private static void WriteOffer(StringWriter text, ProbeOffer offer, bool verbose)
    {
        var kind = offer.GivesAddress ? (offer.IsPxe ? "DHCP+PXE" : "DHCP") : offer.IsPxe ? "proxyDHCP" : "other";
        text.WriteLine($"  {kind,-9} from {offer.Server}: {offer.Message.MessageType}"
            + (offer.GivesAddress ? $", address {offer.Message.YourAddress}" : "")
            + (offer.Message.ServerAddress.IsZero ? "" : $", next server {offer.Message.ServerAddress}")
            + (offer.BootFile.Length > 0 ? $", boot file {offer.BootFile}" : ""));
        if (offer.Prompt is { } prompt)
        {
            text.WriteLine($"            prompt \"{prompt.Text}\", timeout {prompt.Timeout}");
        }
        for (var i = 0; i < offer.Menu.Length; i++)
        {
            text.WriteLine($"            {i + 1}. \"{offer.Menu[i].Description}\" (type 0x{offer.Menu[i].Type:x4})");
        }
        if (verbose)
        {
            foreach (var line in DhcpMessageRenderer.Render(offer.Message, isPxe: true).Split('\n'))
            {
                text.WriteLine("            " + line);
            }
        }
    }
}
