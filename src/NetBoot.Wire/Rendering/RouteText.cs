using System.Globalization;

namespace NetBoot.Wire.Rendering;

/// <summary>Options 33 and 121: routes.</summary>
public static class RouteText
{
    /// <summary>Option 33 (RFC 2132 §5.8): destination/router address pairs.</summary>
    public static string StaticRoutes(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || data.Length % 8 != 0)
        {
            return DhcpOptionRenderer.BadLength(data, "a multiple of 8 (destination, router)");
        }
        var parts = new List<string>();
        for (var i = 0; i < data.Length; i += 8)
        {
            parts.Add($"{ValueText.Address(data.Slice(i, 4))} via {ValueText.Address(data.Slice(i + 4, 4))}");
        }
        return string.Join(", ", parts);
    }

    /// <summary>Option 121 (RFC 3442 §3): prefix length, the significant octets of the destination, router.</summary>
    public static string ClasslessRoutes(ReadOnlySpan<byte> data)
    {
        var parts = new List<string>();
        var i = 0;
        Span<byte> destination = stackalloc byte[4];
        while (i < data.Length)
        {
            var width = data[i];
            var significant = (width + 7) / 8;
            if (width > 32 || i + 1 + significant + 4 > data.Length)
            {
                return DhcpOptionRenderer.BadLength(data, "RFC 3442 route descriptors");
            }
            destination.Clear();
            data.Slice(i + 1, significant).CopyTo(destination);
            var router = ValueText.Address(data.Slice(i + 1 + significant, 4));
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{ValueText.Address(destination)}/{width} via {router}"));
            i += 1 + significant + 4;
        }
        return parts.Count > 0 ? string.Join(", ", parts) : "(empty)";
    }
}
