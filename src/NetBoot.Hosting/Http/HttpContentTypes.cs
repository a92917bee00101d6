using System.Collections.Frozen;

namespace NetBoot.Hosting.Http;

/// <summary>Content types of boot files by extension. Firmware ignores them (EDK2 HttpBootDxe accepts
/// <c>application/efi</c> or any type for an NBP), browsers and curl do not; unknown files are octet streams.</summary>
public static class HttpContentTypes
{
    public const string Default = "application/octet-stream";

    private static readonly FrozenDictionary<string, string> ByExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        // UEFI 2.5 §24.7.3: the HTTP Boot NBP type.
        [".efi"] = "application/efi",
        [".ipxe"] = "text/plain; charset=utf-8",
        [".cfg"] = "text/plain; charset=utf-8",
        [".conf"] = "text/plain; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
        [".sh"] = "text/plain; charset=utf-8",
        [".json"] = "application/json",
        [".html"] = "text/html; charset=utf-8",
        [".iso"] = "application/x-iso9660-image",
        [".img"] = Default,
        [".kpxe"] = Default,
        [".pxe"] = Default,
        [".0"] = Default,
        [".gz"] = "application/gzip",
        [".xz"] = "application/x-xz",
        [".zst"] = "application/zstd",
        [".squashfs"] = Default,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static string For(string path)
    {
        var extension = Path.GetExtension(path);
        return extension.Length > 0 && ByExtension.TryGetValue(extension, out var type) ? type : Default;
    }
}
