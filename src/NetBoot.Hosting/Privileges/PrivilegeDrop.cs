using System.Runtime.InteropServices;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Hosting.Privileges;

/// <summary>The account to run as after start-up: <c>user=</c> and <c>group=</c>, resolved to ids before any socket
/// is opened (so a wrong name fails start-up with its file and line, not after binding).</summary>
public sealed record PrivilegeTarget(string User, uint Uid, string Group, uint Gid);

/// <summary>What to do about <c>user=</c>/<c>group=</c> in this process.</summary>
public enum PrivilegePlan
{
    /// <summary>No <c>user=</c>: keep the account NetBoot was started as (the systemd unit starts it as netboot).</summary>
    Keep,
    /// <summary>Started as root with <c>user=</c>: switch once every socket is bound.</summary>
    Drop,
    /// <summary><c>user=</c> names the account NetBoot already runs as: nothing to do.</summary>
    AlreadyThere,
    /// <summary>Not root and <c>user=</c> names another account: it cannot switch (said clearly, then ignored).</summary>
    NotRoot,
}

/// <summary>Drops root once the sockets are bound, dnsmasq's <c>user=</c>/<c>group=</c>.
/// <para>No capability is kept, deliberately. .NET runs many threads; glibc's setgroups/setgid/setuid change every
/// thread of the process (they broadcast the change), but capset(2) and prctl(PR_SET_KEEPCAPS) act on the calling
/// thread only, so "keep CAP_NET_ADMIN" cannot be done reliably from managed code. After the switch to a non-zero uid
/// the kernel clears the permitted, effective and ambient sets of every thread. What that costs is documented in the
/// README: the ARP entry for unicast replies to clients without an address (SIOCSARP, CAP_NET_ADMIN) is refused, and
/// those replies go by broadcast, which RFC 2131 §4.1 allows; ports below 1024 cannot be bound again (the listeners
/// are already bound; a <c>tftp-port-range</c> below 1024 would fail). Sockets, the lease database and the log stay
/// open through the switch.</para></summary>
public static class PrivilegeDrop
{
    /// <summary>Resolves <c>user=</c>/<c>group=</c> (null when no <c>user=</c>). Throws <see cref="PrivilegeException"/>
    /// with the directive's file and line for an unknown name (<see cref="Problem"/>, which <c>check</c> and reload use).</summary>
    public static PrivilegeTarget? Resolve(ServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (Problem(config, static name => Passwd.TryGetUser(name, out _, out _), static name => Passwd.TryGetGroup(name, out _)) is { } problem)
        {
            throw new PrivilegeException(problem.ToString(), problem.Hint ?? "");
        }
        if (config.User is not { Length: > 0 } user || !Passwd.TryGetUser(user, out var uid, out var primaryGid))
        {
            return null;
        }
        if (config.Group is not { Length: > 0 } group || !Passwd.TryGetGroup(group, out var gid))
        {
            // dnsmasq defaults to group "dip"; NetBoot uses the user's own primary group, which always exists.
            return new PrivilegeTarget(user, uid, Passwd.GroupName(primaryGid) ?? primaryGid.ToString(System.Globalization.CultureInfo.InvariantCulture), primaryGid);
        }
        return new PrivilegeTarget(user, uid, group, gid);
    }

    /// <summary>Why <c>user=</c>/<c>group=</c> cannot be used (null when they can, or are absent): an unknown name, or
    /// <c>group=</c> without <c>user=</c>. The one wording for <c>check</c>, start and reload.</summary>
    public static ConfigDiagnostic? Problem(ServerConfig config, Func<string, bool> userExists, Func<string, bool> groupExists)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(userExists);
        ArgumentNullException.ThrowIfNull(groupExists);
        if (config.User is not { Length: > 0 } user)
        {
            return config.Group is { Length: > 0 } lonely
                ? new ConfigDiagnostic($"group={lonely} needs user= as well", config.GroupSource ?? SourceLocation.CommandLine,
                    "name the account to run as with user=, e.g. user=netboot")
                : null;
        }
        if (!userExists(user))
        {
            return new ConfigDiagnostic($"unknown user {user}", config.UserSource ?? SourceLocation.CommandLine,
                $"create it (useradd --system --no-create-home {user}) or name an existing account");
        }
        if (config.Group is { Length: > 0 } group && !groupExists(group))
        {
            return new ConfigDiagnostic($"unknown group {group}", config.GroupSource ?? SourceLocation.CommandLine,
                $"create it (groupadd --system {group}), name an existing group, or leave group= out to use {user}'s own group");
        }
        return null;
    }

    /// <summary>Why <c>dhcp-scriptuser</c> cannot be honoured: an unknown account, or one other than <c>user=</c>. dnsmasq
    /// forks a helper that keeps root for this before it drops privileges; NetBoot starts each script from its own
    /// process, which after the switch to <c>user=</c> can no longer start one as anybody else.</summary>
    public static ConfigDiagnostic? ScriptUserProblem(ServerConfig config, Func<string, bool> userExists)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(userExists);
        if (config.ScriptUser is not { Length: > 0 } scriptUser)
        {
            return null;
        }
        var where = config.ScriptUserSource ?? SourceLocation.CommandLine;
        if (!userExists(scriptUser))
        {
            return new ConfigDiagnostic($"unknown user {scriptUser}", where, $"create it (useradd --system --no-create-home {scriptUser}) or name an existing account");
        }
        if (config.User is { Length: > 0 } user && user != scriptUser)
        {
            return new ConfigDiagnostic($"dhcp-scriptuser={scriptUser} with user={user}: once it has switched to {user}, NetBoot cannot start dhcp-script as {scriptUser}",
                where, $"write dhcp-scriptuser={user}, or leave user= out so that NetBoot keeps root and starts the script as {scriptUser}");
        }
        return null;
    }

    /// <summary>Whether the account exists (NSS through the C library).</summary>
    public static bool UserExists(string name) => Passwd.TryGetUser(name, out _, out _);

    /// <summary>Whether the group exists (NSS through the C library).</summary>
    public static bool GroupExists(string name) => Passwd.TryGetGroup(name, out _);

    /// <summary>What this process would do with <paramref name="target"/>.</summary>
    public static PrivilegePlan Plan(PrivilegeTarget? target, uint effectiveUid, uint effectiveGid) => target switch
    {
        null => PrivilegePlan.Keep,
        _ when effectiveUid == 0 && target.Uid != 0 => PrivilegePlan.Drop,
        _ when effectiveUid == target.Uid && effectiveGid == target.Gid => PrivilegePlan.AlreadyThere,
        _ when effectiveUid == 0 => PrivilegePlan.AlreadyThere,
        _ => PrivilegePlan.NotRoot,
    };

    public static uint EffectiveUid => Native.geteuid();

    public static uint EffectiveGid => Native.getegid();

    /// <summary>Switches the whole process to <paramref name="target"/>: supplementary groups cleared (as dnsmasq), then
    /// the group, then the user (real, effective and saved). Verifies that root cannot be regained; throws otherwise.</summary>
    public static void Apply(PrivilegeTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Check(Native.setgroups(1, [target.Gid]), "setgroups");
        Check(Native.setgid(target.Gid), "setgid");
        Check(Native.setuid(target.Uid), "setuid");
        if (Native.getuid() != target.Uid || Native.geteuid() != target.Uid || Native.getgid() != target.Gid || Native.setuid(0) == 0)
        {
            throw new PrivilegeException($"switching to user {target.User} did not take effect", "report this as a bug");
        }
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new PrivilegeException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})",
                "NetBoot must be started as root to change user");
        }
    }

    /// <summary>Account look-ups through the C library, so NSS (LDAP, systemd's DynamicUser) is honoured.</summary>
    private static class Passwd
    {
        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; ... } and struct group
        // { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }: the ids follow two pointers.
        private static readonly int IdsOffset = 2 * IntPtr.Size;

        public static bool TryGetUser(string name, out uint uid, out uint gid)
        {
            var entry = Native.getpwnam(name);
            uid = entry == IntPtr.Zero ? 0 : (uint)Marshal.ReadInt32(entry, IdsOffset);
            gid = entry == IntPtr.Zero ? 0 : (uint)Marshal.ReadInt32(entry, IdsOffset + 4);
            return entry != IntPtr.Zero;
        }

        public static bool TryGetGroup(string name, out uint gid)
        {
            var entry = Native.getgrnam(name);
            gid = entry == IntPtr.Zero ? 0 : (uint)Marshal.ReadInt32(entry, IdsOffset);
            return entry != IntPtr.Zero;
        }

        public static string? GroupName(uint gid)
        {
            var entry = Native.getgrgid(gid);
            return entry == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry));
        }
    }

    // DllImport rather than LibraryImport, as ArpCache: the latter needs AllowUnsafeBlocks.
#pragma warning disable SYSLIB1054, CA5392, CA2101
    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int setgroups(nuint size, uint[] list);

        [DllImport("libc", SetLastError = true)]
        public static extern int setgid(uint gid);

        [DllImport("libc", SetLastError = true)]
        public static extern int setuid(uint uid);

        [DllImport("libc")]
        public static extern uint getuid();

        [DllImport("libc")]
        public static extern uint geteuid();

        [DllImport("libc")]
        public static extern uint getgid();

        [DllImport("libc")]
        public static extern uint getegid();

        [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern IntPtr getpwnam(string name);

        [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern IntPtr getgrnam(string name);

        [DllImport("libc")]
        public static extern IntPtr getgrgid(uint gid);
    }
#pragma warning restore SYSLIB1054, CA5392, CA2101
}

/// <summary>A <c>user=</c>/<c>group=</c> problem: what was wrong and where, plus what to do.</summary>
public sealed class PrivilegeException : Exception
{
    public PrivilegeException(string message, string hint) : base(message) => Hint = hint;

    public PrivilegeException() : this("privilege drop failed", "") { }

    public PrivilegeException(string message) : this(message, "") { }

    public PrivilegeException(string message, Exception inner) : base(message, inner) => Hint = "";

    public string Hint { get; }
}
