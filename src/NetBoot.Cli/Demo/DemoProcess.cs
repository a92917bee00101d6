using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace NetBoot.Cli.Demo;

/// <summary>A program the demo started (inside a namespace, through <c>ip netns exec</c>, which execs it: the PID is the
/// program's own). Its standard output goes to <c>onOutput</c> as it arrives (raw text for a serial console, where a
/// line may take seconds to end, or whole lines), its standard error line by line to <c>onErrorLine</c>. Standard
/// input is a pipe that is never written, so no child reads the terminal. <see cref="StopAsync"/> ends it by its PID.</summary>
internal sealed class DemoProcess
{
    private const int TailLines = 30;

    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly Lock _tailLock = new();
    private readonly Task _pumps;

    private DemoProcess(string name, Process process, Action<string> onOutput, bool rawOutput, Action<string> onErrorLine)
    {
        Name = name;
        _process = process;
        Id = process.Id;
        var output = rawOutput
            ? PumpRawAsync(process.StandardOutput, onOutput)
            : PumpLinesAsync(process.StandardOutput, onOutput);
        _pumps = Task.WhenAll(output, PumpLinesAsync(process.StandardError, onErrorLine));
        Exited = WaitForExitAsync();
    }

    /// <summary>What it is, for messages ("netboot serve", "router (dnsmasq)").</summary>
    public string Name { get; }

    public int Id { get; }

    /// <summary>Completes with the exit code once the process has ended and its output is read.</summary>
    public Task<int> Exited { get; }

    public bool HasExited => _process.HasExited;

    public static DemoProcess Start(string name, string fileName, IEnumerable<string> arguments,
        Action<string> onOutput, Action<string> onErrorLine, bool rawOutput = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        return new DemoProcess(name, process, onOutput, rawOutput, onErrorLine);
    }

    /// <summary>Its last lines of output (both streams), for a failure message.</summary>
    public IReadOnlyList<string> Tail()
    {
        lock (_tailLock)
        {
            return [.. _tail];
        }
    }

    /// <summary>Ends it: SIGTERM first when <paramref name="terminateGracePeriod"/> is given (NetBoot then logs that it
    /// is exiting), SIGKILL to it and its descendants after that. True once it has ended.</summary>
    public async Task<bool> StopAsync(TimeSpan? terminateGracePeriod)
    {
        if (!_process.HasExited && terminateGracePeriod is { } grace)
        {
            _ = kill(Id, Sigterm);
            await WaitAsync(grace).ConfigureAwait(false);
        }
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended between the check and the kill.
            }
        }
        return await WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    private async Task<bool> WaitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await Exited.WaitAsync(limit.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return _process.HasExited;
        }
    }

    private async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        // A grandchild may hold the pipes: do not wait for the pumps forever.
        await Task.WhenAny(_pumps, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        return _process.ExitCode;
    }

    private async Task PumpLinesAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            Remember(line);
            onLine(line);
        }
    }

    private async Task PumpRawAsync(StreamReader reader, Action<string> onText)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var text = new string(buffer, 0, read);
            Remember(text);
            onText(text);
        }
    }

    private void Remember(string text)
    {
        lock (_tailLock)
        {
            _tail.Enqueue(text);
            while (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }
    }

    private const int Sigterm = 15;

    [DllImport("libc", SetLastError = true, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int kill(int pid, int signal);
}
