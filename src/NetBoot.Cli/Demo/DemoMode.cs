namespace NetBoot.Cli.Demo;

/// <summary>Which machine the demo boots.</summary>
internal enum DemoMode
{
    /// <summary>A BIOS PC: SeaBIOS and the iPXE ROM of QEMU's e1000 (Debian's ipxe-qemu), acting as PXE firmware.</summary>
    Bios,
    /// <summary>An x86-64 UEFI PC: OVMF's own PXE on virtio-net.</summary>
    Uefi,
    /// <summary>An ARM64 UEFI machine: AAVMF on QEMU's virt board.</summary>
    Arm64,
}
