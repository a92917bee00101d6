using Microsoft.Win32.SafeHandles;
using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>The bytes a transfer sends: the file itself (octet, read block by block at an offset, so the page
/// cache is shared by every client of the same file), or its netascii conversion held in memory.</summary>
internal sealed class TftpContent : IDisposable
{
    private readonly SafeFileHandle? _file;
    private readonly byte[]? _converted;

    private TftpContent(SafeFileHandle? file, byte[]? converted, long length)
    {
        _file = file;
        _converted = converted;
        Length = length;
    }

    public long Length { get; }

    /// <summary>RFC 2349: tsize is offered for octet transfers only (a netascii size is not the file's).</summary>
    public long? TransferSize => _file is not null ? Length : null;

    public static TftpContent Open(string path, TftpTransferMode mode)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        if (mode != TftpTransferMode.Netascii)
        {
            return new TftpContent(handle, null, RandomAccess.GetLength(handle));
        }
        using (handle)
        {
            var raw = new byte[RandomAccess.GetLength(handle)];
            ReadExactly(handle, raw, 0);
            var converted = NetasciiEncoder.Encode(raw);
            return new TftpContent(null, converted, converted.Length);
        }
    }

    public void Read(long offset, Span<byte> destination)
    {
        if (_converted is not null)
        {
            _converted.AsSpan((int)offset, destination.Length).CopyTo(destination);
            return;
        }
        ReadExactly(_file!, destination, offset);
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(handle, destination, offset);
            if (read == 0)
            {
                throw new IOException("the file became shorter during the transfer");
            }
            destination = destination[read..];
            offset += read;
        }
    }

    public void Dispose() => _file?.Dispose();
}
