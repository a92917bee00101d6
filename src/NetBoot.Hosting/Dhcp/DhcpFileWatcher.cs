using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Hosting.Dhcp;

/// <summary>Watches the <c>dhcp-hostsdir</c> and <c>dhcp-optsdir</c> directories with inotify, as dnsmasq does
/// (inotify.c: <c>IN_CLOSE_WRITE | IN_MOVED_TO</c>): a file written and closed, or renamed in, is read and its lines are
/// added to the configuration in force within the same moment, without SIGHUP. Deletions are not acted on (dnsmasq:
/// "host records are only added dynamically"); SIGHUP re-reads the directories and drops what is gone.</summary>
public sealed class DhcpFileWatcher : IDisposable
{
    private const uint Events = InotifyNative.CloseWrite | InotifyNative.MovedTo;
    /// <summary>How long one wait lasts before the loop looks at whether it is being stopped (shutdown latency only).</summary>
    private const int PollMilliseconds = 200;

    private readonly ConfigSnapshot _snapshot;
    private readonly ILogger _logger;
    private readonly int _inotify;
    private readonly Lock _watchesGate = new();
    private readonly Thread _thread;
    private Dictionary<int, List<DhcpFileSource>> _watches = [];
    private volatile bool _stopping;

    private DhcpFileWatcher(ConfigSnapshot snapshot, ILogger logger, int inotify)
    {
        _snapshot = snapshot;
        _logger = logger;
        _inotify = inotify;
        _thread = new Thread(Run) { IsBackground = true, Name = "netboot dhcp-hostsdir watch" };
    }

    /// <summary>Starts watching the directories of the configuration in force. Null (logged) when inotify is unavailable:
    /// the files are then read at start-up and SIGHUP only.</summary>
    public static DhcpFileWatcher? Start(ConfigSnapshot snapshot, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(logger);
        var inotify = InotifyNative.inotify_init1(InotifyNative.NonBlocking | InotifyNative.CloseOnExec);
        if (inotify < 0)
        {
            foreach (var source in snapshot.Current.DhcpFiles.Where(s => s.IsWatched))
            {
                DhcpFileLog.CannotWatch(logger, source.Path, source.Directive, $"inotify_init1 failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
            }
            return null;
        }
        var watcher = new DhcpFileWatcher(snapshot, logger, inotify);
        watcher.Follow(snapshot.Current);
        watcher._thread.Start();
        return watcher;
    }

    /// <summary>Watches exactly the directories of <paramref name="config"/> (after a SIGHUP reload that may name others).</summary>
    public void Follow(ServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_watchesGate)
        {
            var before = _watches.Values.SelectMany(s => s).Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var watch in _watches.Keys)
            {
                _ = InotifyNative.inotify_rm_watch(_inotify, watch);
            }
            var watches = new Dictionary<int, List<DhcpFileSource>>();
            foreach (var source in config.DhcpFiles.Where(s => s.IsWatched))
            {
                var watch = InotifyNative.inotify_add_watch(_inotify, source.Path, Events);
                if (watch < 0)
                {
                    DhcpFileLog.CannotWatch(_logger, source.Path, source.Directive, $"errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
                    continue;
                }
                // The same directory as both dhcp-hostsdir and dhcp-optsdir has one watch: both readings apply.
                (watches.TryGetValue(watch, out var list) ? list : watches[watch] = []).Add(source);
                if (!before.Contains(source.Path))
                {
                    DhcpFileLog.Watching(_logger, source.Path, source.Directive);
                }
            }
            _watches = watches;
        }
    }

    private unsafe void Run()
    {
        var buffer = new byte[64 * 1024];
        while (!_stopping)
        {
            // struct pollfd { int fd; short events; short revents; }
            long descriptor = (uint)_inotify | ((long)InotifyNative.PollIn << 32);
            if (InotifyNative.poll(&descriptor, 1, PollMilliseconds) <= 0)
            {
                continue;
            }
            nint length;
            fixed (byte* start = buffer)
            {
                length = InotifyNative.read(_inotify, start, (nuint)buffer.Length);
            }
            if (length > 0)
            {
                HandleEvents(buffer.AsSpan(0, (int)length));
            }
        }
    }

    private void HandleEvents(ReadOnlySpan<byte> events)
    {
        while (events.Length >= InotifyNative.EventHeaderSize)
        {
            var watch = ReadHostInt32(events[..4]);
            var mask = (uint)ReadHostInt32(events[4..8]);
            var nameLength = ReadHostInt32(events[12..16]);
            var nameBytes = events.Slice(InotifyNative.EventHeaderSize, nameLength);
            var end = nameBytes.IndexOf((byte)0);
            var name = System.Text.Encoding.UTF8.GetString(end < 0 ? nameBytes : nameBytes[..end]);
            events = events[(InotifyNative.EventHeaderSize + nameLength)..];
            if ((mask & Events) != 0 && DhcpFileReader.IsReadableName(name))
            {
                Apply(watch, name);
            }
        }
    }

    /// <summary>inotify events are in host byte order; NetBoot runs on little-endian Linux (x86-64, arm64).</summary>
    private static int ReadHostInt32(ReadOnlySpan<byte> bytes) => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes);

    private void Apply(int watch, string name)
    {
        List<DhcpFileSource>? sources;
        lock (_watchesGate)
        {
            if (!_watches.TryGetValue(watch, out sources))
            {
                return;
            }
        }
        foreach (var source in sources)
        {
            var path = Path.Combine(source.Path, name);
            // dnsmasq parity: only regular files (a symbolic link to one counts).
            if (!File.Exists(path))
            {
                continue;
            }
            var content = DhcpFileReader.ReadFile(path, source.Kind);
            _snapshot.Update(config => DhcpFileOverlay.Apply(config, content));
            foreach (var error in content.Errors)
            {
                DhcpFileLog.LineRejected(_logger, error.Describe(), error.Hint ?? "");
            }
            // Last: once this line is out, everything about the file is applied and logged.
            DhcpFileLog.Applied(_logger, path, content.Hosts.Length, content.Options.Length);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_thread.IsAlive)
        {
            _thread.Join();
        }
        _ = InotifyNative.close(_inotify);
    }
}
