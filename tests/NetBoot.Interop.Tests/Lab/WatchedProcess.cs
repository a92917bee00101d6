using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace NetBoot.Interop.Tests.Lab;

/// <summary>A command the test runs to its end (or signals) while watching its output line by line: a wait for a line
/// is completed by the line itself (no polling), bounded by a timeout that fails with the output so far.</summary>
/// <remarks>stdout and stderr are read by two dedicated threads, not by the thread pool (Process.BeginOutputReadLine):
/// an action bound to a line (<see cref="WhenLine"/>) runs on the reading thread the moment the line is read, however
/// busy the test host's thread pool is.</remarks>
public sealed class WatchedProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly List<(Regex Pattern, Action<Match> Act)> _waits = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Task> _readers = [];

    private WatchedProcess(Process process) => _process = process;

    /// <summary>Time since the process was started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public int Id => _process.Id;

    /// <summary>Everything written so far, stdout and stderr interleaved as the lines arrived.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static WatchedProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info };
        var watched = new WatchedProcess(process);
        process.Start();
        watched._readers.Add(watched.Read(process.StandardOutput, "stdout"));
        watched._readers.Add(watched.Read(process.StandardError, "stderr"));
        return watched;
    }

    /// <summary>Runs <paramref name="act"/> once, on the reading thread, as soon as a line matching
    /// <paramref name="pattern"/> is read (at once if one already was).</summary>
    public void WhenLine(Regex pattern, Action<Match> act)
    {
        Match? earlier = null;
        lock (_gate)
        {
            foreach (var line in _output.ToString().Split('\n'))
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    earlier = match;
                    break;
                }
            }
            if (earlier is null)
            {
                _waits.Add((pattern, act));
                return;
            }
        }
        act(earlier);
    }

    /// <summary>Completes when a line matching <paramref name="pattern"/> has been written (or already was).</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        WhenLine(pattern, match => seen.TrySetResult(match));
        try
        {
            return await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line /{pattern}/ within {timeout.TotalSeconds:0} s; output so far:\n{Output}");
        }
    }

    /// <summary>Waits for the end; returns the exit code once all output is read. Kills it (and fails) on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_process.StartInfo.FileName} did not end within {timeout.TotalSeconds:0} s; output:\n{Output}");
        }
        // All output is read once both streams have reached their end.
        await Task.WhenAll(_readers).WaitAsync(timeout);
        return _process.ExitCode;
    }

    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Ends it and its descendants if it is still running (a failed test's clean-up).</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }

    private Task Read(StreamReader reader, string name)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                while (reader.ReadLine() is { } line)
                {
                    OnLine(line);
                }
                ended.TrySetResult();
            }
            catch (Exception e)
            {
                ended.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"{Path.GetFileName(_process.StartInfo.FileName)} {name}",
        };
        thread.Start();
        return ended.Task;
    }

    private void OnLine(string line)
    {
        List<(Action<Match> Act, Match Match)> due = [];
        lock (_gate)
        {
            _output.Append(line).Append('\n');
            for (var i = _waits.Count - 1; i >= 0; i--)
            {
                if (_waits[i].Pattern.Match(line) is { Success: true } match)
                {
                    due.Add((_waits[i].Act, match));
                    _waits.RemoveAt(i);
                }
            }
        }
        foreach (var (act, match) in due)
        {
            act(match);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
