using System.Diagnostics;

namespace NetBoot.Cli.Demo;

/// <summary>Runs one short command (<c>ip …</c>, <c>apt-get …</c>) to its end and returns what it printed.</summary>
internal static class DemoShell
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{fileName} {string.Join(' ', info.ArgumentList)}` did not finish within {timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    /// <summary>Runs a command that must succeed; its error text becomes the exception's message.</summary>
    public static async Task<string> CheckedAsync(string fileName, params string[] arguments)
    {
        var (code, output, error) = await RunAsync(fileName, arguments, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (code != 0)
        {
            throw new DemoException($"`{Path.GetFileName(fileName)} {string.Join(' ', arguments)}` failed ({code}): {error.Trim()}");
        }
        return output;
    }
}

/// <summary>A step of the demo failed; the message says which and why.</summary>
internal sealed class DemoException(string message) : Exception(message);
