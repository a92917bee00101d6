using NetBoot.Cli.Commands;

return await NetBootCommandLine.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
