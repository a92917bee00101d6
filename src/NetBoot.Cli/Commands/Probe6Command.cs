using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Probe;
using NetBoot.Wire.Net;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot probe --ipv6</c>: acts as UEFI PXEv6 firmware on one interface (<see cref="Dhcp6Probe"/>) and prints
/// what the firmware would use. Exit code 0: address assigned and boot file fetched; 3: no ADVERTISE or REPLY; 4: the
/// address was refused, no usable bootfile-url, or the boot file cannot be fetched; 2: the probe cannot run there.</summary>
internal static class Probe6Command
{
    public static async Task<int> RunAsync(HostInterface nic, TimeSpan wait, bool fetch, CancellationToken cancellationToken)
    {
        if (MacOf(nic.Name) is not { } mac)
        {
            await Console.Error.WriteLineAsync($"netboot: {nic.Name} has no hardware address to make the client's DUID-LL from; probe on an Ethernet interface").ConfigureAwait(false);
            return 2;
        }
        var probe = new Dhcp6Probe(nic, mac, wait, TimeProvider.System) { FetchesBootFile = fetch };
        Dhcp6ProbeResult outcome;
        try
        {
            outcome = await probe.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"netboot: cannot probe over IPv6 on {nic.Name}: {e.Message}"
                + (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } ? " (port 546 is held by a DHCPv6 client on that interface: stop it)" : "")).ConfigureAwait(false);
            return 2;
        }
        Console.Out.Write(Render(nic.Name, mac, outcome));
        return outcome.Outcome switch
        {
            Dhcp6ProbeOutcome.Booted => 0,
            Dhcp6ProbeOutcome.NoAnswer => 3,
            _ => 4,
        };
    }

    /// <summary>The interface's MAC (getifaddrs' AF_PACKET entry, through the runtime), null when it has none.</summary>
    private static HardwareAddress? MacOf(string name)
    {
        var bytes = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name)?.GetPhysicalAddress().GetAddressBytes();
        return bytes is { Length: 6 } && bytes.Any(b => b != 0) ? HardwareAddress.Ethernet(bytes) : null;
    }

    internal static string Render(string interfaceName, HardwareAddress mac, Dhcp6ProbeResult result)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        text.WriteLine($"probe on {interfaceName} as UEFI PXEv6 firmware (arch 7), MAC {mac}, from {result.LinkLocal}");
        text.WriteLine($"client DUID {result.ClientId}");
        text.WriteLine();
        text.WriteLine($"answers to SOLICIT: {result.Advertises.Length}");
        foreach (var offer in result.Advertises)
        {
            text.WriteLine($"  ADVERTISE from {offer.From}: server DUID {offer.ServerId}, preference {offer.Preference}"
                + (offer.Address is { } address ? $", address {address}" : $", no address ({offer.Failure?.Code.ToString() ?? "no IA_NA"})")
                + (offer.BootfileUrl is { } url ? $", bootfile-url {url}" : ""));
        }
        if (result.Chosen is { } chosen)
        {
            text.WriteLine();
            text.WriteLine($"REQUEST for {chosen.Address} to server DUID {chosen.ServerId}:");
            text.WriteLine(result.Reply is { } reply
                ? $"  REPLY from {reply.From}: " + (reply.Address is { } assigned ? $"address {assigned}, valid {reply.ValidLifetime?.TotalSeconds:0} s" : $"no address ({reply.Failure?.Code} {reply.Failure?.Message})")
                : "  no answer");
        }
        if (result.Reply is { Address: not null } used)
        {
            text.WriteLine();
            text.WriteLine("the firmware would use:");
            text.WriteLine($"  address         {used.Address}");
            text.WriteLine($"  server DUID     {used.ServerId}");
            text.WriteLine($"  bootfile-url    {used.BootfileUrl ?? result.Chosen?.BootfileUrl ?? "(none)"}");
            var parameters = used.BootfileParameters.IsDefaultOrEmpty ? result.Chosen?.BootfileParameters ?? [] : used.BootfileParameters;
            text.WriteLine($"  bootfile-param  {(parameters.IsDefaultOrEmpty ? "(none)" : string.Join(" ", parameters.Select(p => $"\"{p}\"")))}");
            text.WriteLine($"  preference      {result.Chosen?.Preference}");
        }
        if (result.Fetch is { } fetch && result.Target is { } target)
        {
            text.WriteLine();
            var negotiated = fetch.BlockSize is { } blockSize ? $", blksize {blockSize}, windowsize {fetch.WindowSize}" : "";
            text.WriteLine(fetch.IsSuccess
                ? string.Create(CultureInfo.InvariantCulture, $"boot file {target.Url}: {fetch.Bytes} bytes in {fetch.Duration.TotalSeconds:0.000} s ({fetch.MegabytesPerSecond:0.00} MB/s){negotiated}")
                : $"boot file {target.Url}: failed: {fetch.Error}");
        }
        text.WriteLine();
        text.WriteLine(result.Problem is null ? "verdict: the firmware would boot" : $"verdict: {result.Problem}");
        return text.ToString();
    }
}
