using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Privileges;

namespace NetBoot.Hosting.Scripts;

/// <summary>Runs <c>dhcp-script</c>: one call at a time, in the order posted, for leases (add/old/del) and TFTP transfers
/// (tftp), as dnsmasq's single helper process does, so a script never races itself. The loop is owned by whoever
/// calls <see cref="RunAsync"/> (the serve command); calls still queued when it stops are dropped.</summary>
public sealed class ScriptRunner
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(30);

    private readonly Channel<(ProcessStartInfo Start, string Action, string Subject)> _calls =
        Channel.CreateUnbounded<(ProcessStartInfo, string, string)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly ILogger _logger;

    /// <param name="script">The <c>dhcp-script</c> path.</param>
    /// <param name="scriptUser"><c>dhcp-scriptuser</c>: the account the script runs as. It is applied only while NetBoot
    /// is root (the child switches account before exec); not root, the script runs as NetBoot's own account, which
    /// start-up has checked to be this one (<see cref="PrivilegeDrop.ScriptUserProblem"/>).</param>
    public ScriptRunner(string script, string? scriptUser, ILogger logger)
    {
        Script = script;
        ScriptUser = scriptUser;
        _logger = logger;
    }

    public string Script { get; }

    public string? ScriptUser { get; }

    /// <summary>The account to pass to the child, or null to run as NetBoot's own.</summary>
    internal string? RunAs => ScriptUser is { Length: > 0 } user && PrivilegeDrop.EffectiveUid == 0 ? user : null;

    /// <summary>Queues a call; <paramref name="subject"/> names it in a failure line (an address).</summary>
    public void Post(ProcessStartInfo start, string action, string subject)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.UserName = RunAs;
        _calls.Writer.TryWrite((start, action, subject));
    }

    /// <summary>dnsmasq's <c>tftp</c> call (helper.c): <c>tftp SIZE ADDRESS FILE</c>, the size of the file in bytes, the
    /// address it was sent to and its full path, with no DNSMASQ_* variable (those are for leases).</summary>
    public static ProcessStartInfo TftpStart(string script, long size, IPAddress address, string path)
    {
        ArgumentNullException.ThrowIfNull(address);
        var start = BareStart(script);
        start.ArgumentList.Add("tftp");
        start.ArgumentList.Add(size.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(address.ToString());
        start.ArgumentList.Add(path);
        return start;
    }

    /// <summary>The environment starts empty, with only <c>PATH</c>: NetBoot's may hold secrets (<c>NETBOOT_DB_PASSWORD</c>,
    /// <c>PGPASSWORD</c>) that a hook has no business reading.</summary>
    internal static ProcessStartInfo BareStart(string script)
    {
        var start = new ProcessStartInfo(script) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : LeaseMaintenance.DefaultPath;
        return start;
    }

    /// <summary>No more calls: <see cref="RunAsync"/> ends once those queued have run.</summary>
    public void Complete() => _calls.Writer.TryComplete();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (start, action, subject) in _calls.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await RunOneAsync(start, action, subject, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunOneAsync(ProcessStartInfo start, string action, string subject, CancellationToken cancellationToken)
    {
        try
        {
            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ScriptTimeout);
            try
            {
                var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(timeout.Token), process.StandardError.ReadToEndAsync(timeout.Token));
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                await drain.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A hung script must not hold up the next call: end it (only this process, which we started).
                process.Kill(entireProcessTree: true);
                throw;
            }
            if (process.ExitCode != 0)
            {
                LeaseLog.ScriptFailed(_logger, Script, action, subject, $"exit code {process.ExitCode}");
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or OperationCanceledException)
        {
            LeaseLog.ScriptFailed(_logger, Script, action, subject, e.Message);
        }
    }
}
