using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Pxe;

namespace NetBoot.Engine.Pxe;

/// <summary>The option-43 sub-options the administrator configured: <c>dhcp-option=vendor:CLASS,…</c> lines and every
/// <c>pxe-prompt</c> (dnsmasq stores a prompt as <c>vendor:PXEClient,10,…</c>). dnsmasq prepends each line to one list,
/// so they are emitted in REVERSE configuration order (spec §1.5).</summary>
public static class ConfiguredVendorOptions
{
    /// <summary>dnsmasq's <c>pxe-prompt</c> is a vendor option for this class.</summary>
    public const string PromptVendorClass = "PXEClient";

    /// <summary>Sub-options whose vendor class occurs in the client's option 60 (dnsmasq <c>match_vendor_opts</c>, a
    /// substring compare; an empty class matches every client) and whose tags match (<c>prune_vendor_opts</c>).</summary>
    public static ImmutableArray<PxeSubOption> Eligible(ServerConfig config, DhcpOptionList requestOptions, TagSet tags)
    {
        if (!requestOptions.TryGet(DhcpOptionCode.VendorClassIdentifier, out var clientClass) || clientClass.Length == 0)
        {
            return [];
        }
        return [.. All(config)
            // The reader refuses values over 253 bytes ("dhcp-option too long"); a hand-built snapshot must not make us throw.
            .Where(e => e.Value.Length <= BootMenuBuilder.MaximumSubOptionData)
            .Where(e => ContainsClass(clientClass.AsSpan(), e.VendorClass) && tags.Matches(e.Filter))
            .Select(e => new PxeSubOption((PxeSubOptionCode)e.Code, e.Value))];
    }

    private static IEnumerable<Entry> All(ServerConfig config)
    {
        var options = config.Options
            .Where(o => o.VendorClass is not null)
            .Select(o => new Entry(o.Code, o.Value, o.VendorClass!, o.Filter, o.Source));
        var prompts = config.PxePrompts
            .Select(p => new Entry((byte)PxeSubOptionCode.MenuPrompt, PromptValue(p), PromptVendorClass, p.Filter, p.Source));
        return options.Concat(prompts)
            .Select((entry, index) => (entry, index))
            .OrderByDescending(x => SourceOrder.Key(x.entry.Source, config))
            .ThenByDescending(x => x.index)
            .Select(x => x.entry);
    }

    /// <summary>PXE 2.1 §2.2.5 sub-option 10: <c>timeout(1) | prompt</c>, no NUL.</summary>
    public static ImmutableArray<byte> PromptValue(PxePromptConfig prompt) => [prompt.Timeout, .. Encoding.UTF8.GetBytes(prompt.Text)];

    private static bool ContainsClass(ReadOnlySpan<byte> clientClass, string vendorClass) =>
        vendorClass.Length == 0 || clientClass.IndexOf(Encoding.UTF8.GetBytes(vendorClass)) >= 0;

    private sealed record Entry(byte Code, ImmutableArray<byte> Value, string VendorClass, TagFilter Filter, SourceLocation Source);
}

/// <summary>Orders directives as dnsmasq read them: the command line first, then the files in reading order, by line.</summary>
public static class SourceOrder
{
    public static (int File, int Line) Key(SourceLocation source, ServerConfig config)
    {
        if (source.IsCommandLine)
        {
            return (-1, 0);
        }
        var file = config.SourceFiles.IndexOf(source.File);
        return (Math.Max(file, 0), source.Line);
    }
}
