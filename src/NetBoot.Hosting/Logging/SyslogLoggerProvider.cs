using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Logging;

/// <summary><c>log-facility=DAEMON</c> (or LOCAL0…): each line a datagram to the local syslog socket, framed as glibc's
/// <c>syslog(3)</c> frames it for <c>/dev/log</c> (RFC 3164 style: <c>&lt;PRI&gt;Mmm dd hh:mm:ss TAG[PID]: MSG</c>,
/// no host name), which journald and rsyslog both read. The tag is <c>netboot</c>, <c>netboot-dhcp</c>… as dnsmasq's
/// ident is <c>dnsmasq</c>, <c>dnsmasq-dhcp</c>. When the socket is gone (syslog restarting), it connects again once per
/// line; a line that still cannot be sent goes to standard error (glibc's LOG_CONS does the same with the console).</summary>
public sealed class SyslogLoggerProvider : LineLoggerProvider
{
    /// <summary>Where glibc sends (paths.h <c>_PATH_LOG</c>).</summary>
    public const string DefaultSocketPath = "/dev/log";

    private readonly Lock _gate = new();
    private readonly int _facility;
    private readonly string _socketPath;
    private readonly TimeProvider _time;
    private readonly TextWriter _fallback;
    private readonly int _processId = Environment.ProcessId;
    private Socket? _socket;

    public SyslogLoggerProvider(int facility, LogLevel minimum, TimeProvider time, TextWriter fallback, string socketPath = DefaultSocketPath)
        : base(minimum)
    {
        _facility = facility;
        _time = time;
        _fallback = fallback;
        _socketPath = socketPath;
    }

    /// <summary>syslog.h severities: LOG_CRIT 2, LOG_ERR 3, LOG_WARNING 4, LOG_INFO 6, LOG_DEBUG 7.</summary>
    public static int Severity(LogLevel level) => level switch
    {
        LogLevel.Critical => 2,
        LogLevel.Error => 3,
        LogLevel.Warning => 4,
        LogLevel.Information => 6,
        _ => 7,
    };

    /// <summary>One record as glibc's <c>__vsyslog_internal</c> writes it to the local socket.</summary>
    public static string Frame(int facility, LogLevel level, DateTimeOffset now, string tag, int processId, string body) =>
        $"<{facility * 8 + Severity(level)}>{Timestamp(now)} {tag}[{processId}]: {body}";

    protected override void WriteLine(LogLevel level, string tag, string body)
    {
        var record = Frame(_facility, level, _time.GetUtcNow(), tag, _processId, body);
        var bytes = Encoding.UTF8.GetBytes(record);
        lock (_gate)
        {
            if (TrySend(bytes) || (Reconnect() && TrySend(bytes)))
            {
                return;
            }
            _fallback.WriteLine(record);
        }
    }

    private bool TrySend(byte[] bytes)
    {
        if (_socket is null && !Reconnect())
        {
            return false;
        }
        try
        {
            _socket!.Send(bytes);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private bool Reconnect()
    {
        _socket?.Dispose();
        _socket = null;
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(_socketPath));
            _socket = socket;
            return true;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return false;
        }
    }

    public override void Dispose()
    {
        lock (_gate)
        {
            _socket?.Dispose();
            _socket = null;
        }
        base.Dispose();
    }
}
