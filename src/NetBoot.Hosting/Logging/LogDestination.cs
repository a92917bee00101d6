namespace NetBoot.Hosting.Logging;

/// <summary>Where <c>log-facility</c> sends the log: standard error (<c>-</c>, and the default), a file (a value with a
/// <c>/</c>), or syslog with a facility (dnsmasq's rule, option.c: a <c>/</c> makes it a file name).</summary>
public abstract record LogDestination
{
    private LogDestination()
    {
    }

    public sealed record StandardError : LogDestination;

    public sealed record File(string Path) : LogDestination;

    /// <summary><paramref name="Facility"/> is the syslog code (<c>LOG_DAEMON</c> = 3, <c>LOG_LOCAL0</c> = 16…).</summary>
    public sealed record Syslog(int Facility) : LogDestination;

    /// <summary>syslog.h's facility codes, by the names dnsmasq accepts (its <c>facilitynames</c> table).</summary>
    private static readonly Dictionary<string, int> Facilities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kern"] = 0, ["user"] = 1, ["mail"] = 2, ["daemon"] = 3, ["auth"] = 4, ["syslog"] = 5, ["lpr"] = 6, ["news"] = 7,
        ["uucp"] = 8, ["cron"] = 9, ["authpriv"] = 10, ["ftp"] = 11,
        ["local0"] = 16, ["local1"] = 17, ["local2"] = 18, ["local3"] = 19,
        ["local4"] = 20, ["local5"] = 21, ["local6"] = 22, ["local7"] = 23,
    };

    /// <summary>The destination for a <c>log-facility</c> value the parser accepted (null: standard error).</summary>
    public static LogDestination From(string? logFacility) => logFacility switch
    {
        null or "" or "-" => new StandardError(),
        _ when logFacility.Contains('/', StringComparison.Ordinal) => new File(logFacility),
        _ when Facilities.TryGetValue(logFacility, out var code) => new Syslog(code),
        _ => throw new ArgumentException($"not a log facility: {logFacility}", nameof(logFacility)),
    };
}
