using NetBoot.Configuration.Model;

namespace NetBoot.Hosting;

/// <summary>The configuration in force. Reload parses a new snapshot and swaps this one reference;
/// a request is decided entirely against the snapshot it read first.</summary>
public sealed class ConfigSnapshot(ServerConfig initial)
{
    private ServerConfig _current = initial;

    public ServerConfig Current => Volatile.Read(ref _current);

    /// <summary>Held by every writer (SIGHUP reload, a watched host file applied): a reload that read the directories
    /// before a file changed cannot overwrite the change applied meanwhile, nor the other way round.</summary>
    public Lock UpdateGate { get; } = new();

    public void Swap(ServerConfig next) => Volatile.Write(ref _current, next);

    /// <summary>Applies <paramref name="change"/> to the configuration in force, under <see cref="UpdateGate"/>.</summary>
    public void Update(Func<ServerConfig, ServerConfig> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (UpdateGate)
        {
            Swap(change(Current));
        }
    }
}
