using NetBoot.Configuration.Parsing;
using NetBoot.Hosting;
using NetBoot.Hosting.Net;

namespace NetBoot.Cli.Commands;

/// <summary>Writes the embedded default to a file in the working directory's <c>tftpboot</c> sibling and returns it
/// as configuration input, so errors and <c>check</c> point at a real file an administrator can copy.</summary>
internal static class EmbeddedDefault
{
    public static ConfigInput Input(out string note)
    {
        var tftpRoot = Path.GetFullPath(DefaultConfiguration.TftpFolderName);
        Directory.CreateDirectory(tftpRoot);
        var text = DefaultConfiguration.Generate(HostInterface.Enumerate(), tftpRoot);
        var path = Path.Combine(Path.GetTempPath(), $"netboot-default-{Environment.ProcessId}.conf");
        File.WriteAllText(path, text);
        note = $"netboot: no configuration given; using the embedded default (written to {path}):\n{text}";
        return new ConfigInput { Files = [path] };
    }
}
