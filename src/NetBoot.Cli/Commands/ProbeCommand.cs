using System.CommandLine;
using System.Globalization;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Probe;
using NetBoot.Wire.Rendering;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot probe</c>: see the boot from the client's side. Acts as PXE firmware on one interface, lists
/// every offer, follows up on port 4011 and ends with what a real client would do.</summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var interfaceOption = new Option<string?>("--interface", "-i") { Description = "Interface to probe on (default: the first non-loopback one with IPv4)." };
        var archOption = new Option<string>("--arch") { Description = "Firmware to act as: bios, uefi or ipxe.", DefaultValueFactory = _ => "bios" };
        archOption.AcceptOnlyFromAmong("bios", "uefi", "ipxe");
        var waitOption = new Option<double>("--wait") { Description = "Seconds to collect answers after each request.", DefaultValueFactory = _ => 3 };
        var verboseOption = new Option<bool>("--verbose", "-v") { Description = "Also print every answer decoded in full." };
        var command = new Command("probe", "Act as a PXE client: list every DHCP and proxyDHCP offer and say what firmware would do.")
        {
            interfaceOption, archOption, waitOption, verboseOption,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var nics = HostInterface.Enumerate();
            var name = result.GetValue(interfaceOption);
            var nic = name is null ? nics.FirstOrDefault(n => !n.IsLoopback) : nics.FirstOrDefault(n => n.Name == name);
            if (nic is null)
            {
                await Console.Error.WriteLineAsync(name is null
                    ? "netboot: no interface with IPv4 to probe on; name one with --interface"
                    : $"netboot: interface {name} not found or has no IPv4 address (interfaces: {string.Join(", ", nics.Select(n => n.Name))})").ConfigureAwait(false);
                return 1;
            }
            var firmware = Enum.Parse<ProbeFirmware>(result.GetValue(archOption)!, ignoreCase: true);
            var probe = new PxeProbe(nic, firmware, TimeSpan.FromSeconds(result.GetValue(waitOption)), TimeProvider.System);
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
            return outcome.Offers.IsEmpty ? 3 : 0;
        });
        return command;
    }

    internal static string Render(string interfaceName, string clientMac, ProbeResult result, bool verbose)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        text.WriteLine($"probe on {interfaceName} as {result.Firmware.ToString().ToUpperInvariant()} firmware, MAC {clientMac}");
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
