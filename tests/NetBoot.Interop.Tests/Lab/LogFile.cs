using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace NetBoot.Interop.Tests.Lab;

/// <summary>A log file written by another process (a server's stderr, QEMU's serial console), read by
/// polling: a wait is bounded by a timeout and fails with the file's tail, never a blind sleep.</summary>
/// <param name="isTerminal">A console (QEMU's serial port): its text is matched as a person reads it, without terminal
/// escapes, which firmware mirroring its VGA screen puts anywhere, even inside a word (<c>NET\e[25;03HBOOT</c>).</param>
public sealed class LogFile(string path, string name, bool isTerminal = false)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public string Path { get; } = path;

    public string Name { get; } = name;

    /// <summary>The whole file as text (empty until the writer creates it).</summary>
    public string ReadAll()
    {
        if (!File.Exists(Path))
        {
            return string.Empty;
        }
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        var text = reader.ReadToEnd();
        return isTerminal ? TerminalText.Clean(text) : text;
    }

    public Match Find(Regex pattern, int startAt = 0)
    {
        var text = ReadAll();
        return startAt > text.Length ? Match.Empty : pattern.Match(text, startAt);
    }

    public bool Contains(Regex pattern) => Find(pattern).Success;

    /// <summary>Polls until <paramref name="pattern"/> matches at or after <paramref name="startAt"/>.
    /// <paramref name="stillAlive"/> is asked on every poll, so a crashed writer fails the wait at once.</summary>
    public async Task<Match> WaitForAsync(Regex pattern, TimeSpan timeout, int startAt = 0, Action? stillAlive = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var match = Find(pattern, startAt);
            if (match.Success)
            {
                return match;
            }
            stillAlive?.Invoke();
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"{Name}: no match for /{pattern}/ within {timeout.TotalSeconds:0} s.\n{Tail()}");
            }
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>The last lines, cleaned of terminal escapes, for failure messages.</summary>
    public string Tail(int lines = 40)
    {
        var text = TerminalText.Clean(ReadAll());
        var all = text.Split('\n');
        var tail = string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        return $"--- last {lines} lines of {Name} ({Path}) ---\n{tail}\n--- end of {Name} ---";
    }
}

/// <summary>Serial-console text as a person would read it: ANSI escapes, backspace runs and CRs dropped.</summary>
public static partial class TerminalText
{
    public static string Clean(string raw)
    {
        var noEscapes = AnsiEscape().Replace(raw, string.Empty);
        return BackspacePair().Replace(noEscapes, string.Empty).Replace("\r", string.Empty, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|c)")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"(\x08 \x08)+")]
    private static partial Regex BackspacePair();
}
