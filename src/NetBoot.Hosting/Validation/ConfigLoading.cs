using NetBoot.Configuration.Parsing;

namespace NetBoot.Hosting.Validation;

/// <summary>The one road from configuration text to a configuration NetBoot will serve, taken by <c>check</c>,
/// <c>serve --test</c>, start-up and SIGHUP reload: parse, resolve server names (/etc/hosts), validate against the
/// machine. An error at any step refuses it with file and line; the validator's warnings join the configuration's
/// notices, so <c>check</c> lists them and start-up and reload log them.</summary>
public static class ConfigLoading
{
    public static ConfigLoadResult Load(Func<ConfigLoadResult> parse, IConfigEnvironment machine)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(machine);
        var parsed = parse();
        if (!parsed.IsValid)
        {
            return parsed;
        }
        var config = ServerNameResolution.ApplyHostsFile(parsed.Config!);
        var validation = ConfigValidator.Validate(config, machine);
        return validation.IsValid
            ? new ConfigLoadResult(config with { Notices = config.Notices.AddRange(validation.Warnings) }, [])
            : new ConfigLoadResult(null, validation.Errors);
    }

    /// <summary>SIGHUP: swaps <paramref name="loaded"/> in when it is valid; otherwise the snapshot keeps the configuration
    /// it has (the server goes on serving it) and the caller reports <see cref="ConfigLoadResult.Errors"/>.</summary>
    public static bool Reload(ConfigSnapshot snapshot, ConfigLoadResult loaded)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(loaded);
        if (!loaded.IsValid)
        {
            return false;
        }
        snapshot.Swap(loaded.Config!);
        return true;
    }
}
