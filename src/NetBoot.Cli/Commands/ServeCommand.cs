using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Dhcp6;
using NetBoot.Hosting.Http;
using NetBoot.Hosting.Logging;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Privileges;
using NetBoot.Hosting.Scripts;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Tftp;
using NetBoot.Hosting.Validation;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot serve</c>: runs in the foreground, logs to stderr, stops on SIGINT/SIGTERM, reloads on SIGHUP.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var arguments = new ConfigArguments();
        var test = new Option<bool>("--test")
        {
            Description = "Validate the configuration as start-up does, print \"netboot: syntax check OK.\" or the errors, and exit (dnsmasq's --test); binds nothing.",
        };
        var command = new Command("serve", "Run the server in the foreground (logs to stderr).");
        command.Options.Add(test);
        arguments.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var input = arguments.Read(result, out var error);
            if (error is not null)
            {
                await Console.Error.WriteLineAsync("netboot: " + error).ConfigureAwait(false);
                return 1;
            }
            var source = new ConfigSource(input);
            if (source.IsDefault)
            {
                await Console.Error.WriteLineAsync(EmbeddedDefault.Note(EmbeddedDefault.Text())).ConfigureAwait(false);
            }
            if (result.GetValue(test))
            {
                return SyntaxCheck(source);
            }
            // Before any socket: what check refuses (unknown user=, missing tftp-root, …) fails start-up here, same words.
            var loaded = source.LoadForServe();
            if (!loaded.IsValid)
            {
                ConfigArguments.ReportErrors(Console.Error, loaded.Errors);
                await Console.Error.WriteLineAsync("netboot: FAILED to start up").ConfigureAwait(false);
                return 1;
            }
            PrivilegeTarget? target;
            try
            {
                target = PrivilegeDrop.Resolve(loaded.Config!);
            }
            catch (PrivilegeException e)
            {
                await Console.Error.WriteLineAsync($"netboot: {e.Message}\nnetboot:   hint: {e.Hint}\nnetboot: FAILED to start up").ConfigureAwait(false);
                return 1;
            }
            return await RunAsync(source, loaded.Config!, target, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary><c>serve --test</c>, dnsmasq's "validate only": the validation start-up runs, creating and binding nothing;
    /// dnsmasq's words on stderr (<c>dnsmasq: syntax check OK.</c>, option.c) and exit 0, or the errors and exit 1.
    /// Warnings (a missing boot file) are printed before the verdict; they do not fail it, as they do not stop start-up.</summary>
    internal static int SyntaxCheck(ConfigSource source)
    {
        var loaded = source.LoadWithoutSideEffects();
        if (!loaded.IsValid)
        {
            ConfigArguments.ReportErrors(Console.Error, loaded.Errors);
            return 1;
        }
        foreach (var warning in loaded.Config!.Notices.Where(n => n.Kind == ConfigNoticeKind.Warning))
        {
            Console.Error.WriteLine($"netboot: warning: {warning.Directive} {warning.Source}: {warning.Message}");
        }
        foreach (var skipped in loaded.Config!.Notices.Where(n => n.Kind == ConfigNoticeKind.FileLineError))
        {
            // dnsmasq parity: a bad line of a host or option file is logged and skipped, never fatal.
            Console.Error.WriteLine($"netboot: warning: {skipped.Describe()} (skipped; the rest is served)");
        }
        Console.Error.WriteLine("netboot: syntax check OK.");
        return 0;
    }

    private static async Task<int> RunAsync(ConfigSource source, ServerConfig config, PrivilegeTarget? target, CancellationToken cancellationToken)
    {
        using var status = new StatusHost(config, TimeProvider.System);
        // Opened as root, before any privilege drop (dnsmasq's log_start runs before it too).
        if (OpenLogDestination(config) is not { } destination)
        {
            return 2;
        }
        using var logProvider = destination;
        using var loggerFactory = CreateLoggerFactory(status.RecentLog, logProvider);
        var logger = loggerFactory.CreateLogger("netboot");
        // dnsmasq parity: SIGUSR2 closes and reopens a log file, for logrotate. (12 is SIGUSR2 on Linux; .NET takes raw numbers.)
        using var reopen = logProvider is FileLoggerProvider file
            ? PosixSignalRegistration.Create((PosixSignal)SigUsr2, signal => ReopenLog(signal, file, logger))
            : null;
        LogNotices(logger, config);
        // Before any socket: the HTTP connection budget is derived from the soft limit (docs/hostile-input.md).
        var (softBefore, softAfter) = DescriptorLimit.RaiseSoftToHard();
        if (softAfter > softBefore)
        {
            CliLog.DescriptorLimitRaised(logger, softBefore, softAfter);
        }
        var snapshot = new ConfigSnapshot(config);
        // dhcp-hostsdir/dhcp-optsdir: files written there apply without SIGHUP (Ironic, Bifrost write one per machine).
        using var dhcpFiles = DhcpFileWatcher.Start(snapshot, logger);
        using var reload = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            signal.Cancel = true;
            var systemd = SystemdNotifier.FromEnvironment();
            systemd.Notify("RELOADING=1");
            Reload(source, snapshot, logger, dhcpFiles);
            systemd.Notify("READY=1");
        });
        // Watched from the start: a DHCP-assigned server address may change while serving (replies follow it), and
        // interfaces may appear, come up or go (each service follows them, except under bind-interfaces).
        using var addresses = InterfaceAddresses.Watch(logger);
        if (InterfacePresence.Check(config.Interfaces, addresses.Initial, logger) is { } unknown)
        {
            // dnsmasq parity: bind-interfaces with an interface that does not exist is fatal (its exit code 2, EC_BADNET).
            CliLog.FailedToStart(logger, unknown);
            return 2;
        }
        using var unfollowed = InterfacePresence.ReportUnfollowed(config.Interfaces, addresses, logger);
        var (opened, leaseError) = await LeaseStores.OpenAsync(config, loggerFactory, cancellationToken).ConfigureAwait(false);
        if (leaseError is not null)
        {
            CliLog.FailedToStart(logger, leaseError);
            return 2;
        }
        await using var leases = opened;
        // The SQLite store reports write faults through LeaseStoreHealth; the PostgreSQL store logs its own outages.
        if (opened is NetBoot.Leases.SqliteLeaseStore sqlite)
        {
            LeaseStoreHealth.Attach(sqlite, loggerFactory.CreateLogger<DhcpService>(), LeaseStores.Describe(config));
        }
        // One dhcp-script runner for leases and TFTP transfers: calls run one at a time, in order, as dnsmasq's helper runs them.
        var scripts = config.DhcpScript is { Length: > 0 } script
            ? new ScriptRunner(script, config.ScriptUser, loggerFactory.CreateLogger<DhcpService>())
            : null;
        if (config.LeaseFileReadOnly && scripts is not null && leases is not null && !LeaseStores.IsPostgres(config))
        {
            // dnsmasq lease_init: "<script> init" prints the lease database; a failure stops start-up.
            var (initial, rejected, initError) = await LeaseInit.RunAsync(scripts, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
            if (initError is not null)
            {
                CliLog.FailedToStart(logger, initError);
                return 2;
            }
            foreach (var line in rejected)
            {
                CliLog.LeaseInitLineIgnored(logger, line);
            }
            LeaseInit.Load(leases, initial);
            CliLog.LeaseInitLoaded(logger, initial.Count, scripts.Script);
        }
        var dhcp = new DhcpService(snapshot, loggerFactory.CreateLogger<DhcpService>(), TimeProvider.System, leases, status.Telemetry, scripts);
        var tftp = new TftpService(snapshot, loggerFactory.CreateLogger<TftpService>(), TimeProvider.System, status.Telemetry, scripts);
        var http = new HttpBootService(snapshot, loggerFactory.CreateLogger<HttpBootService>(), status.Telemetry);
        // IPv6 leases (IA_NA) in the configured lease database; without DHCPv6 ranges an empty in-memory view (the
        // DHCPv6 service then has nothing to serve and returns at once).
        var (opened6, lease6Error) = await LeaseStores.OpenIpv6Async(config, loggerFactory, cancellationToken).ConfigureAwait(false);
        if (lease6Error is not null)
        {
            CliLog.FailedToStart(logger, lease6Error);
            return 2;
        }
        await using var leases6 = opened6 ?? new NetBoot.Leases.MemoryIpv6LeaseStore();
        status.Ipv6Leases = leases6.Snapshot;
        status.Metrics.ObserveIpv6Leases(() => Dhcp6Text.CountByState(leases6.Snapshot(), DateTimeOffset.UtcNow));
        var dhcp6 = new Dhcp6Service(snapshot, loggerFactory.CreateLogger<Dhcp6Service>(), TimeProvider.System, leases6, status.Telemetry);
        // dhcp-relay: started with the interfaces as they are now (a relay follows no reload).
        var relay = new DhcpRelayService(config, loggerFactory.CreateLogger<DhcpRelayService>());
        using var stopOnFailure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // SIGTERM (systemd, kill) and SIGINT stop the services gracefully: listeners close, transfers end, exit 0.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => StopOnSignal(signal, stopOnFailure));
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => StopOnSignal(signal, stopOnFailure));
        var services = new List<Task>
        {
            StopAllOnFailure(dhcp.RunAsync(addresses, stopOnFailure.Token), stopOnFailure),
            StopAllOnFailure(dhcp6.RunAsync(stopOnFailure.Token), stopOnFailure),
            StopAllOnFailure(tftp.RunAsync(addresses, stopOnFailure.Token), stopOnFailure),
            StopAllOnFailure(http.RunAsync(addresses, stopOnFailure.Token), stopOnFailure),
            StopAllOnFailure(relay.RunAsync(addresses.Current.Interfaces, stopOnFailure.Token), stopOnFailure),
            StopAllOnFailure(new Hosting.Ra.RouterAdvertisementService(snapshot, loggerFactory.CreateLogger<Hosting.Ra.RouterAdvertisementService>(), TimeProvider.System).RunAsync(addresses, stopOnFailure.Token), stopOnFailure),
            StopAllOnFailure(status.RunAsync(snapshot, leases, loggerFactory.CreateLogger("netboot.status"), stopOnFailure.Token), stopOnFailure),
        };
        // Not among the services: it has nothing to serve alone, and it ends when they stop.
        var scriptLoop = scripts?.RunAsync(stopOnFailure.Token) ?? Task.CompletedTask;
        // script-arp: neighbours of the kernel's ARP table told to dhcp-script (arp-add/arp-del), as dnsmasq does.
        var arpLoop = config.ScriptArp && scripts is not null
            ? new ArpScriptWatcher(scripts, TimeProvider.System, loggerFactory.CreateLogger<DhcpService>()).RunAsync(stopOnFailure.Token)
            : Task.CompletedTask;
        if (!await DropPrivilegesWhenBoundAsync(logger, config, target, [dhcp.Listening, dhcp6.Listening, tftp.Listening, http.Started, relay.Listening], services).ConfigureAwait(false))
        {
            await stopOnFailure.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(services.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            return 2;
        }
        if (services.All(t => t.IsCompletedSuccessfully))
        {
            // Every service found nothing to do: never "started" and then a clean exit 0 that systemd would not restart.
            CliLog.FailedToStart(logger, NothingToServe);
            return 2;
        }
        CliLog.Started(logger, NetBootVersion.Text);
        var systemd = SystemdNotifier.FromEnvironment();
        systemd.Notify($"READY=1\nSTATUS=serving {config.Ranges.Length} range(s)\nMAINPID={Environment.ProcessId}");
        try
        {
            await Task.WhenAll(services).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopOnFailure.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
        {
            CliLog.FailedToStart(logger, e.Message);
            return 2;
        }
        if (!stopOnFailure.IsCancellationRequested)
        {
            // Every service ended by itself: nothing is served. Never a clean exit 0, which systemd would not restart.
            CliLog.FailedToStart(logger, NothingToServe);
            return 2;
        }
        systemd.Notify("STOPPING=1");
        await arpLoop.ConfigureAwait(false);
        await scriptLoop.ConfigureAwait(false);
        CliLog.Exiting(logger);
        if (config.PidFile is { } pidFile && PidFile.Remove(pidFile, Environment.ProcessId) is { } notRemoved)
        {
            CliLog.PidFileNotRemoved(logger, pidFile, notRemoved);
        }
        return 0;
    }

    private const string NothingToServe = "nothing to serve: no dhcp-range (IPv4, or IPv6 with DHCPv6), dhcp-relay, enable-tftp, http-port/http-root or status endpoint is in effect";

    /// <summary><c>user=</c>: once every socket is bound (DHCP, 4011, TFTP, HTTP), switch to the account; say clearly
    /// when that cannot be done because NetBoot is not root. False when the switch failed (the server must not go on
    /// as root believing it dropped). A service that failed to bind is left to the caller's normal failure path.</summary>
    private static async Task<bool> DropPrivilegesWhenBoundAsync(ILogger logger, ServerConfig config, PrivilegeTarget? target,
        Task[] listening, IReadOnlyList<Task> services)
    {
        var bound = Task.WhenAll(listening);
        await Task.WhenAny(bound, Task.WhenAll(services)).ConfigureAwait(false);
        if (!bound.IsCompletedSuccessfully)
        {
            return true;
        }
        if (config.PidFile is { } pidFile)
        {
            try
            {
                // dnsmasq writes it once bound and before dropping privileges, so that it may live in /run.
                PidFile.Write(pidFile, Environment.ProcessId);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                CliLog.FailedToStart(logger, $"cannot write the pid file {pidFile}: {e.Message}; check that its folder exists and is writable by root, or change pid-file=");
                return false;
            }
        }
        var (uid, gid) = (PrivilegeDrop.EffectiveUid, PrivilegeDrop.EffectiveGid);
        switch (PrivilegeDrop.Plan(target, uid, gid))
        {
            case PrivilegePlan.Keep when uid == 0:
                PrivilegeNotes.RunningAsRoot(logger);
                return true;
            case PrivilegePlan.NotRoot:
                PrivilegeNotes.CannotDrop(logger, config, uid, target!);
                return true;
            case PrivilegePlan.Drop:
                try
                {
                    PrivilegeDrop.Apply(target!);
                }
                catch (PrivilegeException e)
                {
                    CliLog.FailedToStartWithHint(logger, e.Message, e.Hint);
                    return false;
                }
                PrivilegeNotes.Dropped(logger, target!);
                return true;
            default:
                return true;
        }
    }

    /// <summary>SIGHUP: load the configuration again, through the validation start-up and check run; swap it in only when
    /// it is valid, else log each error (file and line, the words check prints) and keep serving the old one.
    /// Requests already being decided finish on the snapshot they read; TFTP transfers in flight are not touched.
    /// Changes to interfaces, ports or enable-tftp need a restart (the sockets stay as they are). Host and option files
    /// and directories are read again, so lines removed from them stop applying here (dnsmasq's SIGHUP).</summary>
    internal static bool Reload(ConfigSource source, ConfigSnapshot snapshot, ILogger logger, DhcpFileWatcher? dhcpFiles = null)
    {
        var previous = snapshot.Current;
        ConfigLoadResult loaded;
        bool swapped;
        // Under the gate: a host file applied by the watcher while this reload read the directories is not lost.
        lock (snapshot.UpdateGate)
        {
            loaded = source.LoadForServe();
            swapped = ConfigLoading.Reload(snapshot, loaded);
        }
        if (!swapped)
        {
            foreach (var error in loaded.Errors)
            {
                CliLog.ReloadRejected(logger, error.ToString(), error.Hint ?? "");
            }
            return false;
        }
        var config = snapshot.Current;
        dhcpFiles?.Follow(config);
        if (config.User != previous.User || config.Group != previous.Group)
        {
            // The account was switched (or kept) at start-up: a running server cannot become another one.
            CliLog.Notice(logger, "user/group", (config.UserSource ?? config.GroupSource ?? SourceLocation.CommandLine).ToString(),
                "a change of user= or group= takes effect at the next start; the rest of the configuration is reloaded");
        }
        foreach (var (directive, where, message) in NewServicesNeedingRestart(previous, config))
        {
            CliLog.Notice(logger, directive, where, message);
        }
        CliLog.Reloaded(logger, string.Join(", ", config.SourceFiles.IsDefaultOrEmpty ? ["command line"] : config.SourceFiles));
        LogNotices(logger, config);
        return true;
    }

    /// <summary>The IPv6 services open their sockets at start-up only when something asks for them: a reload that adds
    /// the first DHCPv6 range or the first reason to send router advertisements is applied, but those start serving at
    /// the next start. Said, so the administrator does not wait for a service that is not running.</summary>
    internal static IEnumerable<(string Directive, string Source, string Message)> NewServicesNeedingRestart(ServerConfig previous, ServerConfig current)
    {
        if (!Dhcp6Links.Serves(previous) && Dhcp6Links.Serves(current))
        {
            var range = current.Ipv6.Ranges.First(Dhcp6Links.IsDhcpRange);
            yield return ("dhcp-range", range.Source.ToString(),
                "the first DHCPv6 range was added by this reload: DHCPv6 was not running and starts at the next start (restart netboot)");
        }
        if (!previous.Ipv6.SendsRouterAdvertisements && current.Ipv6.SendsRouterAdvertisements)
        {
            var range = current.Ipv6.Ranges.FirstOrDefault(r => r.SendsRouterAdvertisements);
            yield return (range is null ? "enable-ra" : "dhcp-range", range?.Source.ToString() ?? "in " + string.Join(", ", current.SourceFiles),
                "router advertisements were asked for by this reload: they were not being sent and start at the next start (restart netboot)");
        }
    }

    private static void LogNotices(ILogger logger, ServerConfig config)
    {
        foreach (var notice in config.Notices)
        {
            if (notice.Kind == ConfigNoticeKind.FileLineError)
            {
                DhcpFileLog.LineRejected(logger, notice.Describe(), notice.Hint ?? "");
            }
            else if (notice.Kind is ConfigNoticeKind.Warning or ConfigNoticeKind.NotInEffect)
            {
                CliLog.Notice(logger, notice.Directive, notice.Source.ToString(), notice.Message);
            }
            else
            {
                CliLog.Info(logger, notice.Directive, notice.Source.ToString(), notice.Message);
            }
        }
    }

    private static void StopOnSignal(PosixSignalContext signal, CancellationTokenSource stop)
    {
        signal.Cancel = true;
        stop.Cancel();
    }

    /// <summary>A service that cannot start (port in use, missing TFTP root) stops the others: never half a server.</summary>
    private static async Task StopAllOnFailure(Task service, CancellationTokenSource stop)
    {
        try
        {
            await service.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private const int SigUsr2 = 12;

    private static LogLevel Level =>
        Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("NETBOOT_LOG_LEVEL"), true, out var l) ? l : LogLevel.Information;

    /// <summary><c>log-facility</c>: standard error, a file or syslog. Null (after saying why on stderr) when the file
    /// cannot be opened: dnsmasq refuses to start then too ("cannot open log").</summary>
    private static ILoggerProvider? OpenLogDestination(ServerConfig config)
    {
        switch (LogDestination.From(config.LogFacility))
        {
            case LogDestination.File file:
                try
                {
                    return new FileLoggerProvider(file.Path, Level, TimeProvider.System);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"netboot: cannot open the log file {file.Path} (log-facility): {e.Message}\nnetboot:   hint: check that its folder exists and is writable by root, or write log-facility=- for standard error\nnetboot: FAILED to start up");
                    return null;
                }
            case LogDestination.Syslog syslog:
                return new SyslogLoggerProvider(syslog.Facility, Level, TimeProvider.System, Console.Error);
            default:
                return new StderrLoggerProvider(Console.Error, Level, TimeProvider.System);
        }
    }

    private static void ReopenLog(PosixSignalContext signal, FileLoggerProvider file, ILogger logger)
    {
        signal.Cancel = true;
        if (file.Reopen() is { } reason)
        {
            CliLog.LogReopenFailed(logger, file.Path, reason);
            return;
        }
        CliLog.LogReopened(logger, file.Path);
    }

    /// <summary>The log goes to its destination; with a file or syslog, errors still reach stderr too, so a start-up
    /// failure shows in the terminal or the journal (dnsmasq also prints fatal errors on stderr).</summary>
    private static ILoggerFactory CreateLoggerFactory(RecentLog recent, ILoggerProvider destination)
    {
        var level = Level;
        return LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(level);
            builder.AddProvider(destination);
            if (destination is not StderrLoggerProvider)
            {
                builder.AddProvider(new StderrLoggerProvider(Console.Error, level > LogLevel.Error ? level : LogLevel.Error, TimeProvider.System));
            }
            builder.AddProvider(recent);
        });
    }
}
