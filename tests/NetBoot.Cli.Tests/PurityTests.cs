using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace NetBoot.Cli.Tests;

/// <summary>DESIGN.md: Wire and Engine are pure (no file system, sockets, processes, console, environment, native
/// calls, nor a clock or randomness of their own: time and chance are passed in). A check of <c>using</c> lines cannot see <c>File.Exists</c> or a <c>[DllImport]</c>, so this reads the
/// compiled assemblies' metadata: every type and member they reference, and every P/Invoke method they define.</summary>
public class PurityTests
{
    /// <summary>Whole namespaces that mean I/O or the host.</summary>
    private static readonly string[] ForbiddenNamespaces =
    [
        "System.Net.Sockets", "System.Net.NetworkInformation", "System.Net.Http", "Microsoft.Win32.SafeHandles",
        "Microsoft.Win32", "System.IO.MemoryMappedFiles", "System.IO.Pipes", "System.IO.Enumeration", "Microsoft.Extensions",
    ];

    /// <summary>Types whose every use touches the disk, the process or the console.</summary>
    private static readonly string[] ForbiddenTypes =
    [
        "System.IO.File", "System.IO.Directory", "System.IO.FileStream", "System.IO.FileInfo", "System.IO.DirectoryInfo",
        "System.IO.DriveInfo", "System.IO.FileSystemInfo", "System.IO.FileSystemWatcher", "System.IO.RandomAccess",
        "System.IO.StreamReader", "System.IO.StreamWriter", "System.Diagnostics.Process", "System.Diagnostics.ProcessStartInfo",
        "System.Console", "System.Net.Dns", "System.Runtime.InteropServices.NativeLibrary",
        "System.Runtime.InteropServices.LibraryImportAttribute", "System.Runtime.InteropServices.DllImportAttribute",
        "System.Diagnostics.Stopwatch", "System.TimeProvider", "System.Random",
    ];

    /// <summary>Members that read the clock or make up identity, on types that are otherwise plain values.</summary>
    private static readonly (string Type, string Member)[] ForbiddenMembers =
    [
        ("System.DateTime", "get_Now"), ("System.DateTime", "get_UtcNow"), ("System.DateTime", "get_Today"),
        ("System.DateTimeOffset", "get_Now"), ("System.DateTimeOffset", "get_UtcNow"), ("System.Guid", "NewGuid"),
    ];

    /// <summary><see cref="Path"/> is mostly string work; these members read the disk or the process's state.</summary>
    private static readonly string[] ForbiddenPathMembers =
        ["GetFullPath", "GetTempPath", "GetTempFileName", "Exists"];

    /// <summary><see cref="Environment"/> members that read nothing outside the runtime (the compiler's iterators
    /// use the thread id); the rest read or change the process and its environment.</summary>
    private static readonly string[] AllowedEnvironmentMembers = ["get_NewLine", "get_CurrentManagedThreadId"];

    /// <summary>An enum in the System.Net.Sockets namespace that <see cref="System.Net.IPAddress.AddressFamily"/>
    /// returns; naming it opens no socket.</summary>
    private const string AddressFamily = "System.Net.Sockets.AddressFamily";

    [Theory]
    [InlineData("NetBoot.Wire")]
    [InlineData("NetBoot.Engine")]
    public void Pure_layers_reference_no_io_process_console_environment_or_native_code(string assembly)
    {
        AssertPure(FindImpurities(Path.Combine(AppContext.BaseDirectory, assembly + ".dll")));
    }

    /// <summary>Configuration reads its files (conf-file, conf-dir) by design, but opens no socket, starts no
    /// process, calls no native code and takes no Microsoft.Extensions dependency.</summary>
    [Fact]
    public void Configuration_uses_no_sockets_processes_native_code_or_hosting()
    {
        var impurities = FindImpurities(Path.Combine(AppContext.BaseDirectory, "NetBoot.Configuration.dll"))
            .Where(i => !i.StartsWith("System.IO.", StringComparison.Ordinal));
        AssertPure([.. impurities]);
    }

    /// <summary>The check is not blind: Hosting, the layer that does the I/O, is reported for each kind.</summary>
    [Fact]
    public void The_check_sees_file_system_sockets_environment_and_native_calls_in_hosting()
    {
        var impurities = FindImpurities(Path.Combine(AppContext.BaseDirectory, "NetBoot.Hosting.dll"));
        Assert.Contains("System.IO.File", impurities);
        Assert.Contains("System.Net.Sockets.Socket", impurities);
        Assert.Contains("System.TimeProvider", impurities);
        Assert.Contains("System.Diagnostics.Process", impurities);
        Assert.Contains("System.Environment.GetEnvironmentVariable", impurities);
        Assert.Contains(impurities, i => i.StartsWith("P/Invoke ", StringComparison.Ordinal));
    }

    private static void AssertPure(IReadOnlyList<string> impurities) =>
        Assert.True(impurities.Count == 0, "references I/O, the process or native code (move it to Hosting or Cli):\n"
            + string.Join("\n", impurities));

    /// <summary>One line per offending reference: the type (or type.member) and, for P/Invoke, the method.</summary>
    public static IReadOnlyList<string> FindImpurities(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in metadata.TypeReferences)
        {
            var name = FullName(metadata, handle);
            if (IsForbiddenType(name))
            {
                found.Add(name);
            }
        }
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference)
            {
                continue;
            }
            var type = FullName(metadata, (TypeReferenceHandle)member.Parent);
            var memberName = metadata.GetString(member.Name);
            if ((type == "System.IO.Path" && ForbiddenPathMembers.Contains(memberName))
                || (type == "System.Environment" && !AllowedEnvironmentMembers.Contains(memberName))
                || ForbiddenMembers.Contains((type, memberName)))
            {
                found.Add(type + "." + memberName);
            }
        }
        foreach (var handle in metadata.MethodDefinitions)
        {
            var method = metadata.GetMethodDefinition(handle);
            if ((method.Attributes & MethodAttributes.PinvokeImpl) != 0)
            {
                var declaring = metadata.GetTypeDefinition(method.GetDeclaringType());
                found.Add($"P/Invoke {metadata.GetString(declaring.Name)}.{metadata.GetString(method.Name)}");
            }
        }
        return [.. found];
    }

    private static bool IsForbiddenType(string name) =>
        name != AddressFamily
        && (ForbiddenTypes.Any(t => name == t || name.StartsWith(t + "/", StringComparison.Ordinal))
            || ForbiddenNamespaces.Any(n => name.StartsWith(n + ".", StringComparison.Ordinal)));

    /// <summary>Namespace.Name, with nested types as Outer/Inner under their outermost type's namespace.</summary>
    private static string FullName(MetadataReader metadata, TypeReferenceHandle handle)
    {
        var type = metadata.GetTypeReference(handle);
        var name = metadata.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return FullName(metadata, (TypeReferenceHandle)type.ResolutionScope) + "/" + name;
        }
        var ns = metadata.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
