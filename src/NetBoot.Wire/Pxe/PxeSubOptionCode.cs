namespace NetBoot.Wire.Pxe;

/// <summary>Sub-options of option 43 when option 60 is "PXEClient" (PXE 2.1 spec, table 2-1).</summary>
public enum PxeSubOptionCode : byte
{
    Pad = 0,
    MulticastTftpAddress = 1,
    MulticastTftpClientPort = 2,
    MulticastTftpServerPort = 3,
    MulticastTftpStart = 4,
    MulticastTftpDelay = 5,
    DiscoveryControl = 6,
    DiscoveryMulticastAddress = 7,
    BootServers = 8,
    BootMenu = 9,
    MenuPrompt = 10,
    MulticastAddressAllocation = 11,
    CredentialTypes = 12,
    BootItem = 71,
    End = 255,
}

/// <summary>Bits of sub-option 6 (PXE 2.1 §2.2.5; EDK2 <c>PxeBcDhcp4.h</c>).</summary>
[Flags]
public enum PxeDiscoveryControl : byte
{
    None = 0,
    DisableBroadcastDiscovery = 1,
    DisableMulticastDiscovery = 2,
    UseServerListOnly = 4,
    UseBootFileFromOffer = 8,
}
