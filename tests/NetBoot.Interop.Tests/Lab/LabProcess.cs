using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NetBoot.Interop.Tests.Lab;

/// <summary>A child process of the test whose stdout and stderr go, line by line, to one log file.
/// Disposal ends it and its descendants (only processes this test started).</summary>
public sealed class LabProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StreamWriter _writer;
    private readonly Lock _writeLock = new();
    private readonly Task _pump;
    private bool _closed;

    private LabProcess(string name, Process process, StreamWriter writer, LogFile log)
    {
        Name = name;
        _process = process;
        _writer = writer;
        Log = log;
        _pump = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
    }

    public string Name { get; }

    public LogFile Log { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static LabProcess Start(string name, string logPath, string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var stream = new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        var writer = new StreamWriter(stream) { AutoFlush = true };
        writer.WriteLine($"# {fileName} {string.Join(' ', info.ArgumentList)}");
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        return new LabProcess(name, process, writer, new LogFile(logPath, name));
    }

    /// <summary>Throws with the log's tail if the process has ended (used while waiting on it).</summary>
    public void EnsureRunning()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException(
                $"{Name} exited early with code {_process.ExitCode}.\n{Log.Tail()}");
        }
    }

    /// <summary>Sends a signal (e.g. 15 SIGTERM, 1 SIGHUP) to the process.</summary>
    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the process to end by itself and returns its exit code; throws with the log's tail on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds} s.\n{Log.Tail()}");
        }
        await _pump.WaitAsync(timeout);
        return _process.ExitCode;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended between the check and the kill: nothing left to end.
            }
        }
        using (var grace = new CancellationTokenSource(ExitGrace))
        {
            try
            {
                await _process.WaitForExitAsync(grace.Token);
                await _pump.WaitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // A grandchild still holds the pipes open; the log is complete enough for a diagnosis.
            }
        }
        lock (_writeLock)
        {
            _closed = true;
            _writer.Dispose();
        }
        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader source)
    {
        while (await source.ReadLineAsync() is { } line)
        {
            lock (_writeLock)
            {
                if (!_closed)
                {
                    _writer.WriteLine(line);
                }
            }
        }
    }
}
