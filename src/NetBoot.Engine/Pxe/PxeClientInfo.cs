using System.Collections.Immutable;
using System.Text;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Pxe;

namespace NetBoot.Engine.Pxe;

/// <summary>What a PXE client told about itself (dnsmasq <c>is_pxe_client</c>, spec §1.2).</summary>
/// <param name="VendorClass">The configured PXE vendor string option 60 starts with; echoed in the reply's option 60.</param>
/// <param name="Architecture">First element of option 93 (RFC 4578 §2.1); null when absent or shorter than 2 bytes.</param>
/// <param name="MachineIdentifier">Option 97 (RFC 4578 §2.3) when exactly 17 bytes, else empty (then not echoed).</param>
public sealed record PxeClientInfo(string VendorClass, ushort? Architecture, ImmutableArray<byte> MachineIdentifier)
{
    /// <summary>RFC 4578 §2.3: type 0 followed by a 16-byte GUID.</summary>
    public const int MachineIdentifierLength = 17;

    /// <summary>dnsmasq parity: any option-93 value of 6 or more counts as UEFI ("redirect4011"), including the HTTP-boot
    /// and non-x86 values, and 9 (EBC) which some firmware sends for x64.</summary>
    public const ushort FirstUefiArchitecture = (ushort)ClientArchitecture.X86Uefi;

    /// <summary>UEFI 2.5 §24.7 HTTP Boot: EDK2's HttpBootDxe sends option 60 "HTTPClient:Arch:xxxxx:UNDI:yyyzzz" and
    /// accepts only offers that echo "HTTPClient" in option 60 and carry a URL as the boot file.</summary>
    public const string HttpClientVendor = "HTTPClient";

    public bool HasArchitecture => Architecture.HasValue;

    /// <summary>A UEFI HTTP Boot client (option 60 starts with "HTTPClient").</summary>
    public bool IsHttpClient => VendorClass == HttpClientVendor;

    public bool IsUefi => Architecture >= FirstUefiArchitecture;

    public bool HasMachineIdentifier => MachineIdentifier.Length == MachineIdentifierLength;

    /// <summary>Reads option 60/93/97; false (not a PXE client) unless option 60 starts with one of
    /// <paramref name="pxeVendors"/> (dnsmasq <c>dhcp-pxe-vendor</c>, default <c>PXEClient</c>; a prefix compare).</summary>
    public static bool TryRead(DhcpOptionList options, ImmutableArray<string> pxeVendors, out PxeClientInfo info)
    {
        info = new PxeClientInfo(string.Empty, null, []);
        if (!options.TryGet(DhcpOptionCode.VendorClassIdentifier, out var vendorClass))
        {
            return false;
        }
        // NetBoot extension: "HTTPClient" is recognised without dhcp-pxe-vendor; the proxy answers it only when a
        // URL is configured for it (ProxyDhcpResponder), so a configuration without HTTP boot behaves as dnsmasq's.
        var matched = pxeVendors.FirstOrDefault(v => v.Length > 0 && StartsWith(vendorClass.AsSpan(), v))
            ?? (StartsWith(vendorClass.AsSpan(), HttpClientVendor) ? HttpClientVendor : null);
        if (matched is null)
        {
            return false;
        }
        var architectures = options.ClientArchitectures;
        ushort? architecture = architectures.IsEmpty ? null : architectures[0];
        var uuid = options.TryGet(DhcpOptionCode.ClientMachineIdentifier, out var d) && d.Length == MachineIdentifierLength ? d : [];
        info = new PxeClientInfo(matched, architecture, uuid);
        return true;
    }

    private static bool StartsWith(ReadOnlySpan<byte> data, string prefix) =>
        data.StartsWith(Encoding.Latin1.GetBytes(prefix));
}
