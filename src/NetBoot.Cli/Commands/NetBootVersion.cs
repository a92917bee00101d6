using System.Reflection;

namespace NetBoot.Cli.Commands;

/// <summary>The version <c>netboot --version</c> prints (System.CommandLine reads the same attribute): the
/// <c>&lt;Version&gt;</c> of Directory.Build.props, which the Debian package also carries.</summary>
internal static class NetBootVersion
{
    public static string Text { get; } =
        typeof(NetBootVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
}
