using System.Diagnostics;

namespace NetBoot.Testing;

/// <summary>Runs the system tools the namespace tests need (ip, dnsmasq, qemu), failing loudly with their stderr.</summary>
public static class Shell
{
    public static string Run(params string[] command)
    {
        var (code, stdout, stderr) = Execute(command);
        if (code != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', command)}' exited {code}: {stderr.Trim()}");
        }
        return stdout;
    }

    public static bool TryRun(params string[] command) => Execute(command).ExitCode == 0;

    public static (int ExitCode, string Stdout, string Stderr) Execute(params string[] command) =>
        Execute(TimeSpan.FromMinutes(2), command);

    /// <summary>As <see cref="Execute(string[])"/>, for commands that take longer (a NativeAOT build).</summary>
    public static (int ExitCode, string Stdout, string Stderr) Execute(TimeSpan timeout, params string[] command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {command[0]}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', command)}' did not finish within {timeout.TotalMinutes:0.#} minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts a process with its output going to files (so a test can await log lines in them).</summary>
    public static Process Start(string stdoutPath, string stderrPath, params string[] command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var info = new ProcessStartInfo("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$@\" >\"$OUT\" 2>\"$ERR\"");
        info.ArgumentList.Add("sh");
        foreach (var argument in command)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["OUT"] = stdoutPath;
        info.Environment["ERR"] = stderrPath;
        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {command[0]}");
    }
}
