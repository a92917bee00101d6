using System.Collections.Immutable;
using System.Text;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Hosting.Probe;

/// <summary>Which firmware <c>netboot probe</c> pretends to be, with the options that firmware really sends
/// (qemu-pxe-lab-notes: iPXE BIOS ROM and EDK2 DISCOVERs).</summary>
public enum ProbeFirmware
{
    Bios,
    Uefi,
    Ipxe,
    /// <summary>ARM64 UEFI (AAVMF/EDK2): architecture 11, otherwise as x86-64 UEFI.</summary>
    Arm64,
}

public static class ProbeProfile
{
    /// <summary>UEFI PXE firmware, of any architecture: it asks port 4011 when the offer on 67 has no option 43.</summary>
    public static bool IsUefi(ProbeFirmware firmware) => firmware is ProbeFirmware.Uefi or ProbeFirmware.Arm64;

    public static ushort Architecture(ProbeFirmware firmware) => firmware switch
    {
        ProbeFirmware.Uefi => (ushort)ClientArchitecture.X64Uefi,
        ProbeFirmware.Arm64 => (ushort)ClientArchitecture.Arm64Uefi,
        _ => (ushort)ClientArchitecture.X86Bios,
    };

    /// <summary>PXE 2.1 §2.2.4 and RFC 4578: "PXEClient:Arch:xxxxx:UNDI:yyyzzz", the architecture in five decimal digits.</summary>
    public static string VendorClass(ProbeFirmware firmware) =>
        $"PXEClient:Arch:{Architecture(firmware):D5}:UNDI:{(IsUefi(firmware) ? "003000" : "002001")}";

    /// <summary>A DISCOVER as the firmware sends it, with the broadcast flag set so every server's answer reaches a
    /// probe that has no address yet.</summary>
    public static DhcpMessage Discover(ProbeFirmware firmware, HardwareAddress client, uint transactionId, ImmutableArray<byte> machineId)
    {
        var architecture = Architecture(firmware);
        var options = DhcpOptionList.Empty
            .With(DhcpOptionCode.DhcpMessageType, [(byte)DhcpMessageType.Discover])
            .With(DhcpOptionCode.MaximumDhcpMessageSize, [0x05, 0xC0])
            .With(DhcpOptionCode.ClientSystemArchitecture, [(byte)(architecture >> 8), (byte)architecture])
            .With(DhcpOptionCode.ClientNetworkInterfaceIdentifier, IsUefi(firmware) ? [1, 3, 0] : [1, 2, 1])
            .With(DhcpOptionCode.VendorClassIdentifier, Encoding.ASCII.GetBytes(VendorClass(firmware)))
            .With(DhcpOptionCode.ParameterRequestList, [1, 3, 6, 12, 15, 17, 43, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135, 175])
            .With(DhcpOptionCode.ClientMachineIdentifier, machineId.AsSpan());
        if (firmware == ProbeFirmware.Ipxe)
        {
            // iPXE identifies itself by user class "iPXE" and its encapsulated option 175.
            options = options
                .With(DhcpOptionCode.UserClass, "iPXE"u8)
                .With(DhcpOptionCode.EtherbootEncapsulated, [0xb1, 0x05, 0x01, 0x80, 0x86, 0x10, 0x0e, 0x13, 0x01, 0x01]);
        }
        return DhcpMessage.CreateRequest(DhcpMessageType.Discover, client, transactionId) with { Flags = 0x8000, Options = options };
    }

    /// <summary>The follow-up on port 4011: a boot-server request naming a menu item (43/71), or, for a UEFI
    /// client that was told nothing on 67, a plain ProxyDHCPREQUEST.</summary>
    public static DhcpMessage BootServerRequest(DhcpMessage discover, IPv4Address clientAddress, PxeBootItem? item)
    {
        ArgumentNullException.ThrowIfNull(discover);
        var options = discover.Options
            .With(DhcpOptionCode.DhcpMessageType, [(byte)DhcpMessageType.Request])
            .Without(DhcpOptionCode.ParameterRequestList);
        if (item is { } bootItem)
        {
            options = options.With(DhcpOptionCode.VendorSpecificInformation, PxeVendorOptions.Encode([PxeVendorOptions.BootItem(bootItem)]).AsSpan());
        }
        return discover with
        {
            Flags = clientAddress.IsZero ? (ushort)0x8000 : (ushort)0,
            ClientAddress = clientAddress,
            Options = options,
        };
    }
}
