using System.Globalization;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Configuration.Summary;

/// <summary>The PXE part of the summary: whether PXE is on, prompts, and the menu per client architecture.</summary>
internal static class PxeSummary
{
    public static void Render(SummaryWriter text, ServerConfig config)
    {
        text.Section("PXE");
        if (!config.IsPxeEnabled)
        {
            text.Item("off: no pxe-service or pxe-prompt, so no proxy replies and no port 4011 (as dnsmasq)");
            return;
        }
        text.Item($"on: proxy replies and boot server on port 4011; PXE clients are those whose vendor class starts with {string.Join(" or ", config.PxeVendors)}");
        RenderPrompts(text, config);
        foreach (var group in config.PxeServices.GroupBy(s => s.Architecture))
        {
            text.Item($"menu for {PxeParser.ArchitectureName(group.Key)} (client architecture {group.Key}):");
            var number = 1;
            foreach (var service in group)
            {
                text.Item($"{number++}. \"{service.MenuText}\"  {Describe(service)}{ConfigSummary.Tags(service.Filter)}", 2);
            }
            if (group.Key >= 6)
            {
                // spec §1.4 step 4: dnsmasq's UEFI workaround.
                text.Item("UEFI: no menu on port 67; a client matching exactly one entry with a file boots it directly from port 4011", 2);
            }
        }
    }

    private static void RenderPrompts(SummaryWriter text, ServerConfig config)
    {
        if (config.PxePrompts.IsEmpty)
        {
            text.Item("prompt: none given; clients show \"PXE\" (waiting for the user when their menu has more than one entry)");
            return;
        }
        foreach (var prompt in config.PxePrompts)
        {
            text.Item($"prompt: \"{prompt.Text}\", {Timeout(prompt.Timeout)}{ConfigSummary.Tags(prompt.Filter)}");
        }
    }

    private static string Timeout(byte timeout) => timeout switch
    {
        255 => "waits for the user (timeout 255)",
        0 => "boots the first entry at once (timeout 0)",
        _ => string.Create(CultureInfo.InvariantCulture, $"first entry after {timeout} s"),
    };

    private static string Describe(PxeServiceConfig service)
    {
        var type = string.Create(CultureInfo.InvariantCulture, $"type 0x{service.BootServerType:x4}");
        if (service.BaseName is { } baseName)
        {
            return $"{type}, file {BootFileName(baseName)} from {service.Server ?? "this server"}";
        }
        if (service.IsLocalBoot)
        {
            return "type 0: boot from local disk";
        }
        return service.Server is { } server
            ? $"{type}: boot server {server}"
            : $"{type}: discovered boot server (broadcast)";
    }

    public static string BootFileName(string baseName) => PxeServiceConfig.FileNameOf(baseName);
}
