using System.Text;
using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Logging;

/// <summary><c>log-facility=/path</c>: lines appended to a file, <c>Mmm dd hh:mm:ss netboot-dhcp[pid]: …</c> as dnsmasq's
/// log.c writes them. <see cref="Reopen"/> (SIGUSR2, as dnsmasq) closes the file and opens the path again, for
/// logrotate: lines written before it land in the renamed file, lines after it in the new one, none in neither.</summary>
public sealed class FileLoggerProvider : LineLoggerProvider
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _processId = Environment.ProcessId;
    private StreamWriter _writer;

    /// <summary>Opens (creates) the file for appending; throws IOException or UnauthorizedAccessException when it
    /// cannot, which start-up reports as fatal (dnsmasq: "cannot open log").</summary>
    public FileLoggerProvider(string path, LogLevel minimum, TimeProvider time) : base(minimum)
    {
        Path = path;
        _time = time;
        _writer = Open(path);
    }

    public string Path { get; }

    private static StreamWriter Open(string path) =>
        // One write per line, flushed at once: a crash or a rotation loses nothing already logged.
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false)) { AutoFlush = true };

    /// <summary>Closes the file and opens its path again (created if logrotate moved it away). On failure the old file
    /// stays open and the reason is returned, so logging goes on where it was.</summary>
    public string? Reopen()
    {
        StreamWriter fresh;
        try
        {
            fresh = Open(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
        StreamWriter old;
        lock (_gate)
        {
            old = _writer;
            _writer = fresh;
        }
        old.Dispose();
        return null;
    }

    protected override void WriteLine(LogLevel level, string tag, string body)
    {
        var line = $"{Timestamp(_time.GetUtcNow())} {tag}[{_processId}]: {body}";
        lock (_gate)
        {
            try
            {
                _writer.WriteLine(line);
            }
            catch (IOException)
            {
                // A full disk must not take the server down with it; the line is lost, as dnsmasq's would be.
            }
        }
    }

    public override void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
        base.Dispose();
    }
}
