using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Tftp;
using NetBoot.Leases;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot serve</c>: runs in the foreground, logs to stderr, stops on SIGINT/SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var arguments = new ConfigArguments();
        var command = new Command("serve", "Run the server in the foreground (logs to stderr).");
        arguments.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var input = arguments.Read(result, out var error);
            if (error is not null)
            {
                await Console.Error.WriteLineAsync("netboot: " + error).ConfigureAwait(false);
                return 1;
            }
            if (ConfigArguments.IsEmpty(input))
            {
                input = EmbeddedDefault.Input(out var note);
                await Console.Error.WriteLineAsync(note).ConfigureAwait(false);
            }
            var loaded = DnsmasqConfigReader.Load(input);
            if (!loaded.IsValid)
            {
                ConfigArguments.ReportErrors(Console.Error, loaded.Errors);
                await Console.Error.WriteLineAsync("netboot: FAILED to start up").ConfigureAwait(false);
                return 1;
            }
            return await RunAsync(loaded.Config!, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(ServerConfig config, CancellationToken cancellationToken)
    {
        using var loggerFactory = CreateLoggerFactory();
        var logger = loggerFactory.CreateLogger("netboot");
        foreach (var notice in config.Notices)
        {
            CliLog.Notice(logger, notice.Directive, notice.Source.ToString(), notice.Message);
        }
        var snapshot = new ConfigSnapshot(config);
        var interfaces = HostInterface.Enumerate();
        await using var leases = LeaseDatabase.IsNeeded(config)
            ? SqliteLeaseStore.Open(LeaseDatabase.PathFor(config, Environment.GetEnvironmentVariable(LeaseDatabase.EnvironmentVariable)))
            : null;
        var dhcp = new DhcpService(snapshot, loggerFactory.CreateLogger<DhcpService>(), TimeProvider.System, leases);
        var tftp = new TftpService(snapshot, loggerFactory.CreateLogger<TftpService>(), TimeProvider.System);
        using var stopOnFailure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var services = new List<Task>
        {
            StopAllOnFailure(dhcp.RunAsync(interfaces, stopOnFailure.Token), stopOnFailure),
            StopAllOnFailure(tftp.RunAsync(interfaces, stopOnFailure.Token), stopOnFailure),
        };
        CliLog.Started(logger, typeof(ServeCommand).Assembly.GetName().Version?.ToString() ?? "?");
        try
        {
            await Task.WhenAll(services).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
        {
            CliLog.FailedToStart(logger, e.Message);
            return 2;
        }
        CliLog.Exiting(logger);
        return 0;
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

    private static ILoggerFactory CreateLoggerFactory() =>
        LoggerFactory.Create(builder =>
        {
            var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("NETBOOT_LOG_LEVEL"), true, out var l) ? l : LogLevel.Information;
            builder.SetMinimumLevel(level);
            builder.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "MMM dd HH:mm:ss ";
                options.IncludeScopes = false;
                options.ColorBehavior = LoggerColorBehavior.Disabled;
            });
            builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
}
