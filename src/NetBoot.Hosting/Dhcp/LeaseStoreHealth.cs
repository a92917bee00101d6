using Microsoft.Extensions.Logging;
using NetBoot.Leases;

namespace NetBoot.Hosting.Dhcp;

/// <summary>Logs when the lease database stops taking writes (full disk, read-only mount, damage) and when it takes them
/// again: once per transition, with what to do, so an administrator can grep for it.</summary>
public static partial class LeaseStoreHealth
{
    public static void Attach(SqliteLeaseStore store, ILogger logger, string path)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.WriteHealthChanged = fault =>
        {
            if (fault is null)
            {
                Recovered(logger, path);
            }
            else
            {
                Failing(logger, path, fault.Message);
            }
        };
    }

    [LoggerMessage(1308, LogLevel.Error,
        "lease database {Path} cannot be written: {Reason}; no DHCPACK is sent until a write succeeds (offers and proxy/PXE replies go on): free space on its filesystem or make it writable; NetBoot retries with every request, no restart needed")]
    private static partial void Failing(ILogger logger, string path, string reason);

    [LoggerMessage(1309, LogLevel.Warning, "lease database {Path} is writable again; DHCPACKs are sent again")]
    private static partial void Recovered(ILogger logger, string path);
}
