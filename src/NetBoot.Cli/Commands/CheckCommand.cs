using System.CommandLine;
using NetBoot.Configuration.Parsing;
using NetBoot.Configuration.Summary;

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
            return 0;
        });
        return command;
    }
}
