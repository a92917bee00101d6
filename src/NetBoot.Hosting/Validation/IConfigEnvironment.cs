using NetBoot.Hosting.Net;
using NetBoot.Hosting.Privileges;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Validation;

/// <summary>What <see cref="ConfigValidator"/> asks of the machine: folders and files, accounts, this host's addresses,
/// the environment. Behind an interface so the validator is a function of (configuration, answers) in tests.</summary>
public interface IConfigEnvironment
{
    bool DirectoryExists(string path);

    /// <summary>A regular file (a symbolic link is followed), as TFTP would open it.</summary>
    bool FileExists(string path);

    bool UserExists(string name);

    bool GroupExists(string name);

    /// <summary>An address assigned to one of this host's interfaces (a socket can be bound to it).</summary>
    bool IsLocalAddress(IPv4Address address);

    string? GetEnvironmentVariable(string name);

    /// <summary>Why the PostgreSQL password file cannot be used (libpq's rules, as start applies them), or null.</summary>
    string? PasswordFileProblem(string path);
}

/// <summary>The real machine. The password-file rule lives with the PostgreSQL store (which Hosting does not reference),
/// so the caller that has it passes it in.</summary>
public sealed class SystemConfigEnvironment(Func<string, string?>? passwordFileProblem = null) : IConfigEnvironment
{
    public bool DirectoryExists(string path) => Directory.Exists(path);

    public bool FileExists(string path) => File.Exists(path);

    public bool UserExists(string name) => PrivilegeDrop.UserExists(name);

    public bool GroupExists(string name) => PrivilegeDrop.GroupExists(name);

    public bool IsLocalAddress(IPv4Address address) =>
        HostInterface.Enumerate().Any(nic => nic.Addresses.Any(a => a.Address == address));

    public string? GetEnvironmentVariable(string name) => Environment.GetEnvironmentVariable(name);

    public string? PasswordFileProblem(string path) => passwordFileProblem?.Invoke(path);
}

/// <summary>The machine as it will be once <c>serve</c> has created the folders it creates itself (the embedded
/// default's <c>./tftpboot</c>): those exist, empty. Lets <c>check</c> and <c>serve --test</c> validate without
/// creating anything.</summary>
public sealed class PendingDirectories(IConfigEnvironment machine, IReadOnlyCollection<string> created) : IConfigEnvironment
{
    public bool DirectoryExists(string path) => IsCreated(path) || machine.DirectoryExists(path);

    /// <summary>A folder not created yet holds no file, which the machine already says.</summary>
    public bool FileExists(string path) => machine.FileExists(path);

    public bool UserExists(string name) => machine.UserExists(name);

    public bool GroupExists(string name) => machine.GroupExists(name);

    public bool IsLocalAddress(IPv4Address address) => machine.IsLocalAddress(address);

    public string? GetEnvironmentVariable(string name) => machine.GetEnvironmentVariable(name);

    public string? PasswordFileProblem(string path) => machine.PasswordFileProblem(path);

    private bool IsCreated(string path) => created.Contains(Path.TrimEndingDirectorySeparator(path), StringComparer.Ordinal);
}
