using System.Collections.Immutable;
using System.Text;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests;

/// <summary>Hand-built requests: BIOS (arch 0), UEFI (6, 7, 9, 11) and iPXE clients, as their firmware sends them.</summary>
internal static class TestRequests
{
    public static readonly HardwareAddress Client = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0xc0, 0xff, 0x01]);

    /// <summary>A 17-byte option 97: type 0 + GUID.</summary>
    public static readonly byte[] MachineId = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    public static ArrivalInterface Eth0(string address = "192.168.1.10") =>
        new("eth0", 2, IPv4Address.Parse(address), IPv4Address.Parse("255.255.255.0"));

    /// <summary>A PXE ROM's DHCPDISCOVER: 53, 57, 93, 94, 60 "PXEClient:Arch:0000a:UNDI:002001", 97.</summary>
    public static DhcpMessage Discover(ushort architecture, byte[]? uuid = null, string? vendorClass = null, bool withArchitecture = true)
    {
        var message = DhcpMessage.CreateRequest(DhcpMessageType.Discover, Client, 0x491fb553) with { SecondsElapsed = 4 };
        return WithPxeOptions(message, architecture, uuid ?? MachineId, vendorClass, withArchitecture);
    }

    /// <summary>A ProxyDHCPREQUEST to port 4011 (iPXE, or UEFI after the redirect): the client already has its address.</summary>
    public static DhcpMessage ProxyRequest(ushort architecture, string clientAddress = "192.168.1.90")
    {
        var message = DhcpMessage.CreateRequest(DhcpMessageType.Request, Client, 0x1234) with { ClientAddress = IPv4Address.Parse(clientAddress) };
        return WithPxeOptions(message, architecture, MachineId, null, true);
    }

    /// <summary>A boot-server DHCPREQUEST: option 43 = {71: type, layer}.</summary>
    public static DhcpMessage BootServerRequest(ushort architecture, ushort type, ushort layer = 0, string clientAddress = "192.168.1.90",
        DhcpMessageType messageType = DhcpMessageType.Request)
    {
        var message = DhcpMessage.CreateRequest(messageType, Client, 0) with { ClientAddress = IPv4Address.Parse(clientAddress) };
        message = WithPxeOptions(message, architecture, MachineId, null, true);
        return With(message, DhcpOptionCode.VendorSpecificInformation,
            [71, 4, (byte)(type >> 8), (byte)type, (byte)(layer >> 8), (byte)layer, 255]);
    }

    public static DhcpMessage WithPxeOptions(DhcpMessage message, ushort architecture, byte[] uuid, string? vendorClass, bool withArchitecture)
    {
        message = With(message, DhcpOptionCode.MaximumDhcpMessageSize, [0x05, 0xc0]);
        if (withArchitecture)
        {
            message = With(message, DhcpOptionCode.ClientSystemArchitecture, [(byte)(architecture >> 8), (byte)architecture]);
        }
        message = With(message, DhcpOptionCode.ClientNetworkInterfaceIdentifier, [1, 2, 1]);
        var vendor = vendorClass ?? $"PXEClient:Arch:{architecture:00000}:UNDI:002001";
        message = With(message, DhcpOptionCode.VendorClassIdentifier, Encoding.ASCII.GetBytes(vendor));
        return uuid.Length == 0 ? message : With(message, DhcpOptionCode.ClientMachineIdentifier, uuid);
    }

    /// <summary>iPXE adds option 77 "iPXE" (a plain string, not RFC 3004 counted) and option 175.</summary>
    public static DhcpMessage AsIpxe(DhcpMessage message) =>
        With(With(message, DhcpOptionCode.UserClass, "iPXE"u8.ToArray()), DhcpOptionCode.EtherbootEncapsulated, [0xb1, 0x05, 0x01, 0x80, 0x86, 0x10, 0x0e]);

    public static DhcpMessage With(DhcpMessage message, DhcpOptionCode code, byte[] data) =>
        message with { Options = message.Options.With(code, data) };

    public static DhcpRequest On67(DhcpMessage message, ArrivalInterface? arrival = null) =>
        new(message, arrival ?? Eth0(), IPv4Address.Any, 68, 67);

    public static DhcpRequest On4011(DhcpMessage message, ArrivalInterface? arrival = null) =>
        new(message, arrival ?? Eth0(), message.ClientAddress, 68, DhcpRequest.PxePort);

    public static ImmutableArray<byte> Bytes(string hex) => [.. Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal))];
}
