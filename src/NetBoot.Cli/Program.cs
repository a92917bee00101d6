using NetBoot.Cli.Commands;

return await NetBootCommandLine.InvokeAsync(args).ConfigureAwait(false);
