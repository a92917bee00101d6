using System.Buffers.Binary;
using System.Text;

namespace NetBoot.Cli.Demo;

/// <summary>
/// The smallest AArch64 UEFI application that proves it ran: it prints one line on the firmware console
/// (<c>SystemTable->ConOut->OutputString</c>) and returns EFI_SUCCESS. Debian ships no ARM64 network boot
/// program an amd64 host can install, so the demo builds this PE32+ image itself (no toolchain needed). The ARM64
/// interop test boots the same program.
/// </summary>
public static class Aarch64MarkerProgram
{
    private const int FileAlignment = 0x200;
    private const int SectionAlignment = 0x1000;
    private const int TextRva = 0x1000;
    private const int RelocRva = 0x2000;

    /// <summary>efi_main(ImageHandle x0, SystemTable x1); the message follows the code (adr x1, +20).</summary>
    private static readonly uint[] Code =
    [
        0xa9bf7bfd, // stp x29, x30, [sp, #-16]!
        0x910003fd, // mov x29, sp
        0xf9402020, // ldr x0, [x1, #64]     ConOut
        0xf9400402, // ldr x2, [x0, #8]      ConOut->OutputString
        0x100000a1, // adr x1, message
        0xd63f0040, // blr x2
        0xd2800000, // mov x0, #0            EFI_SUCCESS
        0xa8c17bfd, // ldp x29, x30, [sp], #16
        0xd65f03c0, // ret
    ];

    public static byte[] Build(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = new byte[Code.Length * 4 + (message.Length + 3) * 2];
        for (var i = 0; i < Code.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(text.AsSpan(i * 4), Code[i]);
        }
        Encoding.Unicode.GetBytes(message + "\r\n\0", text.AsSpan(Code.Length * 4));
        if (text.Length > FileAlignment)
        {
            throw new ArgumentException("message too long for one file block", nameof(message));
        }

        var image = new byte[3 * FileAlignment];
        var span = image.AsSpan();
        span[0] = (byte)'M';
        span[1] = (byte)'Z';
        BinaryPrimitives.WriteInt32LittleEndian(span[0x3c..], 0x40);
        var at = 0x40;
        "PE\0\0"u8.CopyTo(span[at..]);
        at += 4;
        // COFF file header: AArch64, two sections, a PE32+ optional header, executable image.
        at = U16(span, at, 0xaa64);
        at = U16(span, at, 2);
        at += 12;
        at = U16(span, at, 240);
        at = U16(span, at, 0x0022);
        // Optional header, PE32+.
        at = U16(span, at, 0x20b);
        at += 2;
        at = U32(span, at, FileAlignment); // SizeOfCode
        at = U32(span, at, FileAlignment); // SizeOfInitializedData
        at = U32(span, at, 0);
        at = U32(span, at, TextRva); // AddressOfEntryPoint
        at = U32(span, at, TextRva); // BaseOfCode
        at += 8; // ImageBase 0: the loader relocates
        at = U32(span, at, SectionAlignment);
        at = U32(span, at, FileAlignment);
        at += 16; // OS, image and subsystem versions, Win32VersionValue
        at = U32(span, at, 3 * SectionAlignment); // SizeOfImage
        at = U32(span, at, FileAlignment); // SizeOfHeaders
        at += 4; // CheckSum
        at = U16(span, at, 10); // IMAGE_SUBSYSTEM_EFI_APPLICATION
        at += 2;
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[at..], 0x10000);
            at += 8;
        }
        at += 4; // LoaderFlags
        at = U32(span, at, 16);
        var directories = at;
        BinaryPrimitives.WriteUInt32LittleEndian(span[(directories + 5 * 8)..], RelocRva); // base relocation table
        BinaryPrimitives.WriteUInt32LittleEndian(span[(directories + 5 * 8 + 4)..], 12);
        at = directories + 16 * 8;
        at = Section(span, at, ".text", text.Length, TextRva, FileAlignment, 0x60000020);
        Section(span, at, ".reloc", 12, RelocRva, 2 * FileAlignment, 0x42000040);

        text.CopyTo(span[FileAlignment..]);
        // One relocation block holding a single IMAGE_REL_BASED_ABSOLUTE (padding) entry: nothing to fix up.
        BinaryPrimitives.WriteUInt32LittleEndian(span[(2 * FileAlignment)..], TextRva);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(2 * FileAlignment + 4)..], 12);
        return image;
    }

    private static int Section(Span<byte> span, int at, string name, int virtualSize, int rva, int pointer, uint characteristics)
    {
        Encoding.ASCII.GetBytes(name, span[at..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 8)..], virtualSize);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 12)..], rva);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 16)..], FileAlignment);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 20)..], pointer);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 36)..], characteristics);
        return at + 40;
    }

    private static int U16(Span<byte> span, int at, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], value);
        return at + 2;
    }

    private static int U32(Span<byte> span, int at, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], value);
        return at + 4;
    }
}
