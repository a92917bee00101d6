using NetBoot.Configuration.Model;

namespace NetBoot.Hosting;

/// <summary>The configuration in force. Reload parses a new snapshot and swaps this one reference;
/// a request is decided entirely against the snapshot it read first.</summary>
public sealed class ConfigSnapshot(ServerConfig initial)
{
    private ServerConfig _current = initial;

    public ServerConfig Current => Volatile.Read(ref _current);

    public void Swap(ServerConfig next) => Volatile.Write(ref _current, next);
}
