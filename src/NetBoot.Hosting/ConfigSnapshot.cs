using NetBoot.Configuration.Model;

namespace NetBoot.Hosting;

/// <summary>The configuration in force. Reload parses a new snapshot and swaps this one reference;
/// a request is decided entirely against the snapshot it read first.</summary>
public sealed class ConfigSnapshot(ServerConfig initial)
{
    private Entry _current = new(initial, 1);

    public ServerConfig Current => Volatile.Read(ref _current).Config;

    /// <summary>Held by every writer (SIGHUP reload, a watched host file applied): a reload that read the directories
    /// before a file changed cannot overwrite the change applied meanwhile, nor the other way round.</summary>
    public Lock UpdateGate { get; } = new();

    /// <summary>Applies <paramref name="change"/> to the configuration in force, under <see cref="UpdateGate"/>.</summary>
    public void Update(Func<ServerConfig, ServerConfig> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (UpdateGate)
        {
            Swap(change(Current));
        }
    }

    /// <summary>The configuration with its generation (1 at start, one more with each swap), read together: what is
    /// learned under one configuration (full ranges) is kept by generation, not by comparing objects.</summary>
    public (ServerConfig Config, long Generation) Versioned
    {
        get
        {
            var entry = Volatile.Read(ref _current);
            return (entry.Config, entry.Generation);
        }
    }

    public void Swap(ServerConfig next)
    {
        lock (_swapLock)
        {
            Volatile.Write(ref _current, new Entry(next, _current.Generation + 1));
        }
    }

    private readonly Lock _swapLock = new();

    private sealed record Entry(ServerConfig Config, long Generation);
}
