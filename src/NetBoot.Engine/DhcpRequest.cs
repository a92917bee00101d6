using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine;

/// <summary>A decoded request with where it came from: the input of every DHCP-side responder.</summary>
public sealed record DhcpRequest(
    DhcpMessage Message,
    ArrivalInterface Interface,
    IPv4Address SourceAddress,
    ushort SourcePort,
    ushort LocalPort)
{
    /// <summary>PXE boot-server discovery port (PXE 2.1 §2.2.4).</summary>
    public const ushort PxePort = 4011;

    public bool ArrivedOnPxePort => LocalPort == PxePort;
}
