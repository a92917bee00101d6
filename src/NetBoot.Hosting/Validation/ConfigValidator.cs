using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Privileges;
using NetBoot.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Validation;

/// <summary>What <see cref="ConfigValidator"/> found: errors refuse the configuration (start, reload and <c>check</c>
/// alike); warnings are reported and the configuration is used.</summary>
public sealed record ConfigValidation(ImmutableArray<ConfigDiagnostic> Errors, ImmutableArray<ConfigNotice> Warnings)
{
    public bool IsValid => Errors.IsEmpty;
}

/// <summary>The checks of a parsed configuration against this machine, one function for <c>netboot check</c>,
/// <c>serve</c> (before any socket) and SIGHUP reload, so all three refuse the same things with the same words: TFTP
/// and HTTP roots, <c>user=</c>/<c>group=</c>, the status listen addresses, the lease database. The boot files the
/// menu and <c>dhcp-boot</c> name are checked too, as warnings (<see cref="BootFileCheck"/>). Whether a named
/// interface exists is left to start-up, which enumerates them.</summary>
public static class ConfigValidator
{
    public static ConfigValidation Validate(ServerConfig config, IConfigEnvironment machine)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(machine);
        var errors = ImmutableArray.CreateBuilder<ConfigDiagnostic>();
        var warnings = ImmutableArray.CreateBuilder<ConfigNotice>();
        CheckTftpRoots(config, machine, errors, warnings);
        CheckHttpRoot(config, machine, errors);
        if (PrivilegeDrop.Problem(config, machine.UserExists, machine.GroupExists) is { } account)
        {
            errors.Add(account);
        }
        if (PrivilegeDrop.ScriptUserProblem(config, machine.UserExists) is { } scriptAccount)
        {
            errors.Add(scriptAccount);
        }
        CheckStatusListen(config, machine, errors);
        WarnListenAddresses(config, machine, warnings);
        if (LeaseDatabaseProblem(config, machine) is { } leases)
        {
            errors.Add(leases);
        }
        warnings.AddRange(BootFileCheck.Warnings(config, machine));
        return new ConfigValidation(errors.ToImmutable(), warnings.ToImmutable());
    }

    /// <summary>The words for a missing root, shared with the TFTP and HTTP services' own last-moment check.</summary>
    public static string MissingFolder(string directive, string path, bool isFile) =>
        isFile ? $"{directive} {path} is not a folder" : $"{directive} {path} does not exist";

    // dnsmasq parity: an inaccessible TFTP root is fatal unless tftp-no-fail (then every request fails until it appears).
    private static void CheckTftpRoots(ServerConfig config, IConfigEnvironment machine,
        ImmutableArray<ConfigDiagnostic>.Builder errors, ImmutableArray<ConfigNotice>.Builder warnings)
    {
        var tftp = config.Tftp;
        if (!tftp.IsEnabled)
        {
            return;
        }
        foreach (var (root, source) in Roots(tftp))
        {
            if (machine.DirectoryExists(root))
            {
                continue;
            }
            var message = MissingFolder("tftp-root", root, machine.FileExists(root));
            if (tftp.NoFail)
            {
                warnings.Add(new ConfigNotice(ConfigNoticeKind.Warning, "tftp-root",
                    $"{message}: serving anyway (tftp-no-fail), every TFTP request fails until it is created", source));
                continue;
            }
            errors.Add(new ConfigDiagnostic(message, source,
                $"create it (mkdir -p {root}) and put the boot files there, correct the path, or add tftp-no-fail to serve without it"));
        }
    }

    /// <summary>The global root and the per-interface ones, each with its line.</summary>
    internal static IEnumerable<(string Root, SourceLocation Source)> Roots(TftpConfig tftp)
    {
        var fallback = tftp.Source ?? SourceLocation.CommandLine;
        if (tftp.Root is { } root)
        {
            yield return (root, tftp.RootSource ?? fallback);
        }
        foreach (var (interfaceName, perInterface) in tftp.InterfaceRoots.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            yield return (perInterface, tftp.InterfaceRootSources.GetValueOrDefault(interfaceName, fallback));
        }
    }

    /// <summary>The HTTP server refuses to start without its root (it never serves from <c>/</c>), tftp-no-fail or not.</summary>
    private static void CheckHttpRoot(ServerConfig config, IConfigEnvironment machine, ImmutableArray<ConfigDiagnostic>.Builder errors)
    {
        var http = config.Http;
        if (!http.IsEnabled)
        {
            return;
        }
        var source = http.Source ?? SourceLocation.CommandLine;
        if (http.EffectiveRoot(config.Tftp) is not { } root)
        {
            errors.Add(new ConfigDiagnostic("the HTTP server has no folder to serve", source,
                "add http-root=<folder holding the boot files>, or tftp-root=, which HTTP then serves as well"));
            return;
        }
        if (machine.DirectoryExists(root) || (http.Root is null && errors.Any(e => e.Message.StartsWith($"tftp-root {root} ", StringComparison.Ordinal))))
        {
            return;
        }
        var directive = http.Root is null ? "tftp-root (served by HTTP as well)" : "http-root";
        errors.Add(new ConfigDiagnostic(MissingFolder(directive, root, machine.FileExists(root)),
            http.RootSource ?? config.Tftp.RootSource ?? source,
            $"create it (mkdir -p {root}) and put the boot files there, or correct the path"));
    }

    /// <summary>metrics-listen/dashboard-listen bind an address: one this host does not have fails start-up.</summary>
    private static void CheckStatusListen(ServerConfig config, IConfigEnvironment machine, ImmutableArray<ConfigDiagnostic>.Builder errors)
    {
        var status = config.Status;
        foreach (var (directive, endpoint) in new[] { ("metrics-listen", status.Metrics), ("dashboard-listen", status.Dashboard) })
        {
            if (endpoint is not { } listen || IsBindableAnywhere(listen.Address) || machine.IsLocalAddress(listen.Address))
            {
                continue;
            }
            errors.Add(new ConfigDiagnostic($"{directive}={listen}: {listen.Address} is not an address of this host", status.Source ?? SourceLocation.CommandLine,
                $"write a port alone (127.0.0.1, this host only), 0.0.0.0:{listen.Port} (every address) or one of this host's addresses (ip -4 addr)"));
        }
    }

    /// <summary>0.0.0.0 and the whole of 127/8 can always be bound on Linux.</summary>
    private static bool IsBindableAnywhere(IPv4Address address) => address.IsZero || address.ToString().StartsWith("127.", StringComparison.Ordinal);

    /// <summary>dnsmasq fails to start on a listen-address it cannot bind; NetBoot binds per interface and uses the
    /// addresses only to choose interfaces, so one that is not here only means no interface is chosen for it.</summary>
    private static void WarnListenAddresses(ServerConfig config, IConfigEnvironment machine, ImmutableArray<ConfigNotice>.Builder warnings)
    {
        foreach (var address in config.Interfaces.ListenAddresses.Where(a => !a.ToString().StartsWith("127.", StringComparison.Ordinal) && !machine.IsLocalAddress(a)))
        {
            warnings.Add(new ConfigNotice(ConfigNoticeKind.Warning, "listen-address",
                $"{address} is not an address of this host: no interface is answered for it", config.Interfaces.ListenAddressSource ?? SourceLocation.CommandLine));
        }
    }

    /// <summary>A leasing range needs the lease database: its password file must pass libpq's rules (PostgreSQL), or its
    /// file must be one SQLite can create (not a folder, no file in the way of its folder).</summary>
    private static ConfigDiagnostic? LeaseDatabaseProblem(ServerConfig config, IConfigEnvironment machine)
    {
        if (!LeaseDatabase.IsNeeded(config))
        {
            return null;
        }
        var source = config.LeaseDatabase?.Source ?? config.Ranges.First(r => r.Mode != DhcpRangeMode.Proxy).Source;
        if (config.LeaseDatabase is { Kind: LeaseDatabaseKind.Postgres } db)
        {
            var passwordFromEnvironment = machine.GetEnvironmentVariable("NETBOOT_DB_PASSWORD") is { Length: > 0 }
                || machine.GetEnvironmentVariable("PGPASSWORD") is { Length: > 0 };
            return !passwordFromEnvironment && db.PasswordFile is { } file && machine.PasswordFileProblem(file) is { } problem
                ? new ConfigDiagnostic($"lease database {db}: {problem}", source)
                : null;
        }
        var overridden = machine.GetEnvironmentVariable(LeaseDatabase.EnvironmentVariable);
        var path = LeaseDatabase.PathFor(config, overridden);
        var named = overridden is { Length: > 0 } ? $"lease database {path} ({LeaseDatabase.EnvironmentVariable})" : $"lease database {path}";
        if (machine.DirectoryExists(path))
        {
            return new ConfigDiagnostic($"{named} is a folder", source, "name a file, e.g. dhcp-lease-db=sqlite:///var/lib/netboot/leases.sqlite");
        }
        for (var folder = Path.GetDirectoryName(path); !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            if (machine.DirectoryExists(folder))
            {
                return null;
            }
            if (machine.FileExists(folder))
            {
                return new ConfigDiagnostic($"{named} cannot be created: {folder} is a file, not a folder", source,
                    "name a file in a folder, e.g. dhcp-lease-db=sqlite:///var/lib/netboot/leases.sqlite");
            }
        }
        return null;
    }
}
