using System.CommandLine;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Configuration.Summary;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Ra;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot check -C FILE</c>: parse, validate as <c>serve</c> does (folders, accounts, addresses, lease database),
/// print what would be served with the warnings; exit 1 with file and line on anything <c>serve</c> would refuse.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var arguments = new ConfigArguments();
        var command = new Command("check", "Validate a configuration and print what would be served.");
        arguments.AddTo(command);
        command.SetAction(result =>
        {
            var input = arguments.Read(result, out var error);
            if (error is not null)
            {
                Console.Error.WriteLine("netboot: " + error);
                return 1;
            }
            var source = new ConfigSource(input);
            if (source.IsDefault)
            {
                Console.Out.WriteLine(EmbeddedDefault.Note(EmbeddedDefault.Text()));
            }
            // The validation serve runs before binding and reload runs on SIGHUP: what check accepts, serve accepts.
            var loaded = source.LoadWithoutSideEffects();
            if (!loaded.IsValid)
            {
                ConfigArguments.ReportErrors(Console.Error, loaded.Errors);
                return 1;
            }
            Console.Out.Write(ConfigSummary.Render(loaded.Config!));
            Console.Out.Write(RouterAdvertisementSummary.Render(loaded.Config!,
                Ipv6InterfaceTable.Served(loaded.Config!.Interfaces, HostInterface.ReadAll()).Values, Ipv6InterfaceTable.Ipv6Mtu));
            return ReportFileErrors(loaded.Config!);
        });
        return command;
    }

    /// <summary>A bad line in a host or option file (or such a file unreadable): serve logs it and serves the rest, as
    /// dnsmasq does; check reports each in dnsmasq's words with file and line, and fails, so that it is fixed.</summary>
    private static int ReportFileErrors(ServerConfig config)
    {
        var errors = config.Notices.Where(n => n.Kind == ConfigNoticeKind.FileLineError).ToList();
        foreach (var error in errors)
        {
            Console.Error.WriteLine($"netboot: {error.Describe()}");
            if (error.Hint is { Length: > 0 } hint)
            {
                Console.Error.WriteLine($"netboot:   hint: {hint}");
            }
        }
        if (errors.Count > 0)
        {
            Console.Error.WriteLine("netboot: serve skips these lines and serves the rest of the files (as dnsmasq does)");
        }
        return errors.Count > 0 ? 1 : 0;
    }
}
