using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Leases;
using NetBoot.Hosting.Scripts;
using NetBoot.Leases;

namespace NetBoot.Hosting.Dhcp;

/// <summary>The lease work outside the hot path, each loop owned by <see cref="DhcpService.RunAsync"/>: expiry sweeps,
/// the dnsmasq-format <c>dhcp-leasefile</c>, and <c>dhcp-script</c> calls (one at a time, in commit order, as dnsmasq).</summary>
internal sealed class LeaseMaintenance(ILeaseStore store, ServerConfig config, ILogger logger, TimeProvider time, ScriptRunner? scripts = null)
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    /// <summary>The lease file is rewritten at most this often (dnsmasq rewrites it on every change, which is what caps
    /// its rate: spec §4).</summary>
    public static readonly TimeSpan LeaseFileInterval = TimeSpan.FromSeconds(1);

    /// <summary>A rewrite takes at most this share of the time: with a large table (100 000 leases) the pause after a
    /// write grows with the time the write took, so the file never costs DHCP more than a few per cent of a CPU.</summary>
    public const int LeaseFileDutyDivisor = 40;

    /// <summary>The pause before the next rewrite of the lease file, after one that took <paramref name="took"/>.</summary>
    public static TimeSpan LeaseFilePause(TimeSpan took) =>
        took * LeaseFileDutyDivisor > LeaseFileInterval ? took * LeaseFileDutyDivisor : LeaseFileInterval;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        var loops = new List<Task> { SweepLoopAsync(cancellationToken) };
        // leasefile-ro: no lease file is written (dnsmasq: the script is the lease store's mirror).
        if (config.LeaseFile is { Length: > 0 } path && !config.LeaseFileReadOnly)
        {
            loops.Add(LeaseFileLoopAsync(store.Subscribe(), path, cancellationToken));
        }
        if (config.DhcpScript is { Length: > 0 } script)
        {
            // The serve command shares one runner with TFTP; alone (tests, a DHCP-only host) the lease loop owns its own.
            var runner = scripts;
            if (runner is null)
            {
                runner = new ScriptRunner(script, config.ScriptUser, logger);
                loops.Add(runner.RunAsync(cancellationToken));
            }
            loops.Add(ScriptLoopAsync(store.Subscribe(), runner, cancellationToken));
        }
        return Task.WhenAll(loops);
    }

    private async Task SweepLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var lease in store.Expire(time.GetUtcNow()))
            {
                LeaseLog.Expired(logger, lease.Address.ToString(), DnsmasqLeaseFile.HardwareText(lease));
            }
            if (!await DelayAsync(SweepInterval, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private async Task LeaseFileLoopAsync(ChannelReader<LeaseChange> changes, string path, CancellationToken cancellationToken)
    {
        await WriteLeaseFileAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            while (await changes.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (changes.TryRead(out _))
                {
                }
                var took = await WriteLeaseFileAsync(path, cancellationToken).ConfigureAwait(false);
                if (!await DelayAsync(LeaseFilePause(took), cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        await WriteLeaseFileAsync(path, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Rewrites the file and returns how long that took (snapshot, sort, format and write).</summary>
    private async Task<TimeSpan> WriteLeaseFileAsync(string path, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await DnsmasqLeaseFile.WriteAsync(path, store.Snapshot(), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LeaseLog.LeaseFileFailed(logger, path, e.Message);
        }
        return Stopwatch.GetElapsedTime(started);
    }

    private async Task ScriptLoopAsync(ChannelReader<LeaseChange> changes, ScriptRunner runner, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in changes.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var call in ScriptCalls(change, config.ScriptOnRenewal, config.LeaseFileReadOnly))
                {
                    runner.Post(ScriptStart(runner.Script, call.Action, call.Lease, time.GetUtcNow()), call.Action, call.Lease.Address.ToString());
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary><see cref="ScriptCall"/>, preceded by <c>del</c> for each bound lease the change replaces on another
    /// address (a client whose identity changed between boot stages moved: its old address is gone).</summary>
    public static IEnumerable<(string Action, Lease Lease)> ScriptCalls(LeaseChange change, bool scriptOnRenewal, bool leaseFileReadOnly = false)
    {
        if (change is LeaseUpsert upsert)
        {
            foreach (var replaced in upsert.Replaces)
            {
                if (replaced.State == LeaseState.Bound && replaced.Address != upsert.Lease.Address)
                {
                    yield return ("del", replaced);
                }
            }
        }
        if (ScriptCall(change, scriptOnRenewal, leaseFileReadOnly) is { } call)
        {
            yield return call;
        }
    }

    /// <summary>dnsmasq: <c>add</c> for a new lease, <c>del</c> when it goes, <c>old</c> for a renewal only when something
    /// changed (lease.c <c>do_script_run</c>): its hardware address or host name (LEASE_CHANGED), or its expiry when
    /// <c>script-on-renewal</c> is set (LEASE_EXP_CHANGED), or its expiry or client id under <c>leasefile-ro</c>, where the
    /// script keeps the leases (LEASE_AUX_CHANGED). A plain renewal calls nothing.</summary>
    public static (string Action, Lease Lease)? ScriptCall(LeaseChange change, bool scriptOnRenewal, bool leaseFileReadOnly = false) => change switch
    {
        LeaseUpsert { Event: LeaseEvent.Add } add => ("add", add.Lease),
        LeaseUpsert { Event: LeaseEvent.Old } old when IsReportedRenewal(old, scriptOnRenewal, leaseFileReadOnly) => ("old", old.Lease),
        LeaseRemoval { Event: LeaseEvent.Del } del => ("del", del.Lease),
        _ => null,
    };

    /// <summary>Whether a renewal is one dnsmasq tells the script of. Without the lease it renews (not known) it is.</summary>
    public static bool IsReportedRenewal(LeaseUpsert renewal, bool scriptOnRenewal, bool leaseFileReadOnly = false)
    {
        if (renewal.Previous is not { } previous)
        {
            return true;
        }
        var lease = renewal.Lease;
        // lease_set_hwaddr / lease_set_hostname set LEASE_CHANGED; names compare without case (hostname_isequal).
        var changed = !previous.HardwareAddress.Equals(lease.HardwareAddress)
            || !string.Equals(previous.HostName, lease.HostName, StringComparison.OrdinalIgnoreCase);
        var expiryChanged = previous.Expires != lease.Expires;
        var auxChanged = expiryChanged || !previous.ClientId.AsSpan().SequenceEqual(lease.ClientId.AsSpan());
        return changed || (scriptOnRenewal && expiryChanged) || (leaseFileReadOnly && auxChanged);
    }

    /// <summary>The search path a script gets when NetBoot itself has none (systemd's default).</summary>
    internal const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>dnsmasq's arguments (<c>action mac ip [hostname]</c>) and the DNSMASQ_* variables it sets for them
    /// (helper.c). The environment starts empty, with only <c>PATH</c> added: dnsmasq's script inherits dnsmasq's own
    /// environment, but NetBoot's may hold secrets (<c>NETBOOT_DB_PASSWORD</c>, <c>PGPASSWORD</c>, a connection string)
    /// that a lease hook has no business reading. The host name is passed only when it is legal
    /// (<see cref="HostNameRules"/>), as helper.c does, so it can never read as an option (<c>-rf</c>): its host part as
    /// the fourth argument, its domain in <c>DNSMASQ_DOMAIN</c>.</summary>
    public static ProcessStartInfo ScriptStart(string script, string action, Lease lease, DateTimeOffset now)
    {
        var start = ScriptRunner.BareStart(script);
        start.ArgumentList.Add(action);
        start.ArgumentList.Add(DnsmasqLeaseFile.HardwareText(lease));
        start.ArgumentList.Add(lease.Address.ToString());
        var name = HostNameRules.IsLegal(lease.HostName) ? lease.HostName : null;
        if (name is not null)
        {
            start.ArgumentList.Add(HostNameRules.HostPart(name));
            if (HostNameRules.DomainPart(name) is { } domain)
            {
                start.Environment["DNSMASQ_DOMAIN"] = domain;
            }
            start.Environment["DNSMASQ_SUPPLIED_HOSTNAME"] = name;
        }
        if (!lease.ClientId.IsDefaultOrEmpty)
        {
            start.Environment["DNSMASQ_CLIENT_ID"] = string.Join(':', lease.ClientId.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        }
        start.Environment["DNSMASQ_LEASE_EXPIRES"] = lease.IsInfinite ? "0" : lease.Expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        start.Environment["DNSMASQ_TIME_REMAINING"] = lease.IsInfinite
            ? "0"
            : Math.Max(0, (long)(lease.Expires - now).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return start;
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
