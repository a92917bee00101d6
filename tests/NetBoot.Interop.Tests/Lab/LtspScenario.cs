using System.Text.RegularExpressions;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Lab;

/// <summary>
/// The reference configuration (<c>examples/ltsp.conf</c>) adapted to the lab, and a TFTP root holding Debian's
/// pxelinux under the paths that configuration names. pxelinux's own configuration writes a unique marker to
/// the serial console and then boots from local disk, so a run ends without a kernel.
/// </summary>
public sealed partial record LtspScenario(string TftpRoot, string ConfigPath, string Marker)
{
    public const string BootFile = "/ltsp/i386/pxelinux.0";
    public const string MenuPrompt = "Press F8 for boot menu";
    public const string NetworkEntry = "Boot from network";
    public const string LocalEntry = "Boot from local hard disk";

    private const string PxelinuxSource = "/usr/lib/PXELINUX/pxelinux.0";
    private const string LdlinuxSource = "/usr/lib/syslinux/modules/bios/ldlinux.c32";

    public static string ReferenceConfigPath => Path.Combine(TestPaths.Examples, "ltsp.conf");

    public static LtspScenario Create(string workDirectory)
    {
        var root = Path.Combine(workDirectory, "tftp");
        var directory = Path.Combine(root, "ltsp", "i386");
        Directory.CreateDirectory(Path.Combine(directory, "pxelinux.cfg"));
        File.Copy(PxelinuxSource, Path.Combine(directory, "pxelinux.0"));
        File.Copy(LdlinuxSource, Path.Combine(directory, "ldlinux.c32"));
        var marker = $"NETBOOT-LAB-{Guid.NewGuid():N}"[..24];
        File.WriteAllText(Path.Combine(directory, "pxelinux.cfg", "default"), PxelinuxConfig(marker));
        var config = Path.Combine(workDirectory, "ltsp.conf");
        File.WriteAllText(config, AdaptReferenceConfig(File.ReadAllText(ReferenceConfigPath), LabNetwork.Subnet, root));
        return new LtspScenario(root, config, marker);
    }

    /// <summary>pxelinux writes to COM1 (<c>SERIAL</c>), says the marker, then its only label hands back to the
    /// BIOS (<c>LOCALBOOT 0</c>), which finds no disk: no kernel is needed.</summary>
    public static string PxelinuxConfig(string marker) =>
        $"""
        SERIAL 0 115200
        SAY {marker}
        DEFAULT local
        PROMPT 0
        LABEL local
          LOCALBOOT 0

        """;

    /// <summary>The reference text with exactly three lines changed: the proxy range names the lab's subnet,
    /// TFTP is enabled, and the TFTP root is the lab's. Everything else is kept byte for byte.</summary>
    public static string AdaptReferenceConfig(string reference, string subnet, string tftpRoot)
    {
        var text = Replace(reference, ProxyRange(), $"dhcp-range={subnet},proxy");
        text = Replace(text, CommentedEnableTftp(), "enable-tftp");
        return Replace(text, TftpRootLine(), $"tftp-root={tftpRoot}");
    }

    private static string Replace(string text, Regex line, string replacement)
    {
        var count = line.Count(text);
        if (count != 1)
        {
            throw new InvalidOperationException($"reference configuration: expected one line /{line}/, found {count}");
        }
        return line.Replace(text, replacement);
    }

    [GeneratedRegex(@"^dhcp-range=[0-9.]+,proxy[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex ProxyRange();

    [GeneratedRegex(@"^#[ \t]*enable-tftp[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex CommentedEnableTftp();

    [GeneratedRegex(@"^tftp-root=.*$", RegexOptions.Multiline)]
    private static partial Regex TftpRootLine();
}
