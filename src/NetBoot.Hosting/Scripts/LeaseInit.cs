using System.Diagnostics;
using NetBoot.Engine;
using NetBoot.Engine.Leases;
using NetBoot.Leases;

namespace NetBoot.Hosting.Scripts;

/// <summary><c>leasefile-ro</c> with <c>dhcp-script</c>: at start the script is run once as <c>SCRIPT init</c> and what
/// it prints is the lease database (dnsmasq lease.c <c>lease_init</c>); leases then live in memory only, and the script
/// is told of every change (add/old/del, <c>old</c> also when only the expiry or client id moved) so that it can keep
/// its copy. A script that cannot run or exits non-zero stops start-up, as dnsmasq dies then.</summary>
public static class LeaseInit
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>The leases the script printed (and the lines it printed that are not leases), or why it failed.</summary>
    public static async Task<(IReadOnlyList<Lease> Leases, IReadOnlyList<string> Rejected, string? Error)> RunAsync(
        ScriptRunner runner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var start = ScriptRunner.BareStart(runner.Script);
        start.ArgumentList.Add("init");
        start.UserName = runner.RunAs;
        string output;
        int exitCode;
        try
        {
            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Limit);
            try
            {
                var read = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var errors = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                output = await read.ConfigureAwait(false);
                await errors.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return ([], [], $"lease-init script {runner.Script} did not finish within {Limit.TotalSeconds:0} s");
            }
            exitCode = process.ExitCode;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return ([], [], $"cannot run lease-init script {runner.Script}: {e.Message}");
        }
        if (exitCode != 0)
        {
            return ([], [], $"lease-init script {runner.Script} returned exit code {exitCode}");
        }
        using var reader = new StringReader(output);
        var (leases, rejected) = DnsmasqLeaseReader.Read(reader, now);
        return (leases, rejected, null);
    }

    /// <summary>Puts the leases in the (empty, in-memory) store without calling the script back for them.</summary>
    public static void Load(ILeaseStore store, IEnumerable<Lease> leases)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(leases);
        foreach (var lease in leases)
        {
            store.Execute(_ => new DhcpOutcome(new NoReply(NoReplyReason.NotForUs), new LeaseUpsert(lease, LeaseEvent.None)));
        }
    }
}
