using System.CommandLine;
using NetBoot.Configuration.Parsing;
using NetBoot.Configuration.Summary;
using NetBoot.Hosting;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot check -C FILE</c>: parse, validate, print what would be served; exit 1 on bad input.</summary>
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
            if (ConfigArguments.IsEmpty(input))
            {
                input = EmbeddedDefault.Input(out var note);
                Console.Out.WriteLine(note);
            }
            var loaded = DnsmasqConfigReader.Load(input);
            if (!loaded.IsValid)
            {
                ConfigArguments.ReportErrors(Console.Error, loaded.Errors);
                return 1;
            }
            Console.Out.Write(ConfigSummary.Render(ServerNameResolution.ApplyHostsFile(loaded.Config!)));
            return 0;
        });
        return command;
    }
}
