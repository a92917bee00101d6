using System.Globalization;

namespace NetBoot.Wire.Rendering;

/// <summary>Option 77. RFC 3004 §4 sends one or more <c>len | data</c> instances; many clients (iPXE among
/// them) send the bare text instead, which dnsmasq also accepts, so both forms are shown for what they are.</summary>
public static class UserClassRenderer
{
    public static void Render(RenderWriter writer, string head, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (TryReadInstances(data, out var instances))
        {
            if (instances.Count == 1)
            {
                writer.Line(head + "RFC 3004, 1 instance: " + instances[0]);
                return;
            }
            writer.Line(head + "RFC 3004, " + instances.Count.ToString(CultureInfo.InvariantCulture) + " instances");
            writer.Aligned(head.Length, () =>
            {
                foreach (var instance in instances)
                {
                    writer.Line(instance);
                }
            });
            return;
        }
        writer.Line(head + (data.IsEmpty ? "(empty)" : ValueText.TextOrHex(data) + " (not RFC 3004 instances; plain text form)"));
    }

    /// <summary>Instances when the bytes are exactly a run of non-empty <c>len | data</c> records.</summary>
    public static bool TryReadInstances(ReadOnlySpan<byte> data, out List<string> instances)
    {
        instances = [];
        var i = 0;
        while (i < data.Length)
        {
            var length = data[i];
            if (length == 0 || i + 1 + length > data.Length)
            {
                return false;
            }
            instances.Add(ValueText.TextOrHex(data.Slice(i + 1, length)));
            i += 1 + length;
        }
        return instances.Count > 0;
    }
}
