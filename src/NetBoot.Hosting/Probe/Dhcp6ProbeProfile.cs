using System.Collections.Immutable;
using System.Net;
using System.Text;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Probe;

/// <summary>What UEFI PXEv6 firmware (EDK2's PxeBcDhcp6, as OVMF sends it) puts in its SOLICIT and REQUEST, and how it
/// reads the ADVERTISE and REPLY: pure functions over the DHCPv6 codec, so the bytes are tested without a network.</summary>
public static class Dhcp6ProbeProfile
{
    /// <summary>RFC 5970 §3.3 / RFC 4578 registry: 7 is x64 UEFI (EDK2's PXEv6 on x86-64).</summary>
    public const ushort UefiX64Architecture = 7;

    /// <summary>IANA enterprise number 343 (Intel), which EDK2's PXE vendor class uses.</summary>
    public const uint IntelEnterpriseNumber = 343;

    /// <summary>EDK2 PxeBcDhcp6.c: "PXEClient:Arch:xxxxx:UNDI:yyyzzz" (UNDI 3.0.16).</summary>
    public const string VendorClassText = "PXEClient:Arch:00007:UNDI:003016";

    /// <summary>The options EDK2's PXEv6 asks for: DNS servers, domain list, bootfile-url, bootfile-param.</summary>
    public static readonly ImmutableArray<Dhcp6OptionCode> RequestedOptions =
        [Dhcp6OptionCode.DnsServers, Dhcp6OptionCode.DomainList, Dhcp6OptionCode.BootfileUrl, Dhcp6OptionCode.BootfileParam];

    /// <summary>The client's DUID-LL (RFC 8415 §11.4) from the interface's MAC, as EDK2 derives it when no SMBIOS UUID is set.</summary>
    public static Duid ClientDuid(HardwareAddress mac) => Duid.LinkLayer(mac);

    /// <summary>SOLICIT (RFC 8415 §18.2.1): Client ID, one empty IA_NA, Option Request, Elapsed Time, Client Arch (61),
    /// Vendor Class (16).</summary>
    public static Dhcp6Message Solicit(Duid client, uint iaid, uint transactionId, TimeSpan elapsed) => new()
    {
        Type = Dhcp6MessageType.Solicit,
        TransactionId = transactionId,
        Options = new Dhcp6OptionList(
        [
            client.ToOption(Dhcp6OptionCode.ClientId),
            new Dhcp6IaNa(iaid, TimeSpan.Zero, TimeSpan.Zero, Dhcp6OptionList.Empty).ToOption(),
            Dhcp6Options.OptionRequest([.. RequestedOptions]),
            Dhcp6Options.ElapsedTime(elapsed),
            Dhcp6Options.ClientArchitectures(UefiX64Architecture),
            VendorClass(),
        ]),
    };

    /// <summary>REQUEST (RFC 8415 §18.2.2) for what <paramref name="offer"/> advertised: its Server ID, and the IA_NA with
    /// the offered address; the same Client ID, Option Request, architecture and vendor class as the SOLICIT.</summary>
    public static Dhcp6Message Request(Duid client, uint iaid, uint transactionId, TimeSpan elapsed, Dhcp6ProbeOffer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var addresses = offer.Address is { } address
            ? new Dhcp6OptionList([new Dhcp6IaAddress(address, TimeSpan.Zero, TimeSpan.Zero, Dhcp6OptionList.Empty).ToOption()])
            : Dhcp6OptionList.Empty;
        return new Dhcp6Message
        {
            Type = Dhcp6MessageType.Request,
            TransactionId = transactionId,
            Options = new Dhcp6OptionList(
            [
                client.ToOption(Dhcp6OptionCode.ClientId),
                offer.ServerId.ToOption(Dhcp6OptionCode.ServerId),
                new Dhcp6IaNa(iaid, TimeSpan.Zero, TimeSpan.Zero, addresses).ToOption(),
                Dhcp6Options.OptionRequest([.. RequestedOptions]),
                Dhcp6Options.ElapsedTime(elapsed),
                Dhcp6Options.ClientArchitectures(UefiX64Architecture),
                VendorClass(),
            ]),
        };
    }

    private static Dhcp6Option VendorClass() =>
        new Dhcp6VendorClass(IntelEnterpriseNumber, [[.. Encoding.ASCII.GetBytes(VendorClassText)]]).ToOption();

    /// <summary>Reads an answer to this client's SOLICIT (ADVERTISE) or REQUEST (REPLY): null when it is not one (another
    /// type or transaction, another client's, no Server ID: RFC 8415 §16.3, §16.10), which the client then ignores.</summary>
    public static Dhcp6ProbeOffer? Read(Dhcp6Packet packet, Dhcp6MessageType expected, uint transactionId, Duid client, IPAddress from)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (packet is not Dhcp6Message message || message.Type != expected || message.TransactionId != transactionId
            || message.Options.ClientId is not { } echoed || echoed != client || message.Options.ServerId is not { } server)
        {
            return null;
        }
        var options = message.Options;
        var ia = options.IdentityAssociations.FirstOrDefault();
        var iaAddress = ia.Options is null ? null : ia.Addresses.Where(a => a.ValidLifetime > TimeSpan.Zero).Select(a => (Dhcp6IaAddress?)a).FirstOrDefault();
        var status = ia.Options is null ? options.StatusCode : ia.Status ?? options.StatusCode;
        return new Dhcp6ProbeOffer(from, server, iaAddress?.Address, iaAddress?.ValidLifetime, options.Preference ?? 0,
            options.BootfileUrl, options.BootfileParameters, status is { Code: not Dhcp6Status.Success } failed ? failed : null);
    }

    /// <summary>RFC 8415 §18.2.1: the ADVERTISE with the highest preference, the first received among equals; one that
    /// offers no address is not taken (the firmware needs one to boot).</summary>
    public static Dhcp6ProbeOffer? Choose(IEnumerable<Dhcp6ProbeOffer> offers) =>
        offers.Where(o => o.Address is not null).OrderByDescending(o => o.Preference).FirstOrDefault();

    /// <summary>The boot file location of a bootfile-url (RFC 5970 §3.1): <c>tftp://[addr]/path</c> (port optional) or
    /// an <c>http://</c> URL; null with the reason when the firmware could not use it.</summary>
    public static Dhcp6BootTarget? ParseBootfileUrl(string? url, out string? problem)
    {
        if (string.IsNullOrEmpty(url))
        {
            problem = "the answer has no bootfile-url (option 59): the firmware has nothing to boot";
            return null;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("tftp" or "http" or "https"))
        {
            problem = $"bootfile-url '{url}' is not a tftp:// or http:// URL";
            return null;
        }
        if (uri.Scheme == "tftp")
        {
            // EDK2 takes an IPv6 literal only (no DNS lookup for the TFTP server).
            if (uri.HostNameType != UriHostNameType.IPv6 || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out var server))
            {
                problem = $"bootfile-url '{url}': the TFTP server must be an IPv6 address in brackets (tftp://[2001:db8::1]/file)";
                return null;
            }
            var path = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
            if (path.Length == 0)
            {
                problem = $"bootfile-url '{url}' names no file";
                return null;
            }
            problem = null;
            return new Dhcp6BootTarget(url, IsHttp: false, new IPEndPoint(server, uri.IsDefaultPort || uri.Port < 0 ? 69 : uri.Port), path);
        }
        problem = null;
        return new Dhcp6BootTarget(url, IsHttp: true, null, uri.AbsolutePath);
    }
}

/// <summary>An ADVERTISE or REPLY as the firmware reads it.</summary>
/// <param name="From">The server's (link-local) address it came from.</param>
/// <param name="Address">The IA_NA address offered or assigned (null: none, see <paramref name="Failure"/>).</param>
/// <param name="Failure">A status code other than Success (NoAddrsAvail, NotOnLink, …), for the IA_NA or the message.</param>
public sealed record Dhcp6ProbeOffer(IPAddress From, Duid ServerId, IPv6Address? Address, TimeSpan? ValidLifetime, byte Preference,
    string? BootfileUrl, ImmutableArray<string> BootfileParameters, Dhcp6StatusCode? Failure);

/// <summary>Where the boot file is: a TFTP server and path, or an HTTP URL.</summary>
public sealed record Dhcp6BootTarget(string Url, bool IsHttp, IPEndPoint? TftpServer, string Path);
