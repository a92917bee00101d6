using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NetBoot.Hosting.Logging;

namespace NetBoot.Hosting.Tests.Logging;

/// <summary><c>log-facility</c>: a file (reopened on SIGUSR2 for logrotate), syslog on a datagram socket framed as glibc
/// frames it, or standard error; dnsmasq's rule for telling them apart.</summary>
public sealed partial class LogFacilityTests : IDisposable
{
    [LoggerMessage(LogLevel.Information, "line {Number}")]
    private static partial void Line(ILogger logger, int number);

    private static readonly DateTimeOffset Now = new(2026, 11, 5, 9, 1, 2, TimeSpan.Zero);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("netboot-log-");

    [Theory]
    [InlineData(null, typeof(LogDestination.StandardError))]
    [InlineData("-", typeof(LogDestination.StandardError))]
    [InlineData("/var/log/netboot.log", typeof(LogDestination.File))]
    [InlineData("DAEMON", typeof(LogDestination.Syslog))]
    [InlineData("local0", typeof(LogDestination.Syslog))]
    public void A_slash_makes_a_file_a_dash_stderr_and_a_name_a_syslog_facility(string? value, Type expected) =>
        Assert.IsType(expected, LogDestination.From(value));

    [Theory]
    [InlineData("daemon", 3)]
    [InlineData("LOCAL0", 16)]
    [InlineData("local7", 23)]
    [InlineData("kern", 0)]
    public void Facility_names_map_to_syslog_h_codes(string name, int code) =>
        Assert.Equal(code, Assert.IsType<LogDestination.Syslog>(LogDestination.From(name)).Facility);

    [Fact]
    public void Syslog_record_is_framed_as_glibc_frames_it_for_dev_log()
    {
        var record = SyslogLoggerProvider.Frame(16, LogLevel.Warning, Now, "netboot-dhcp", 4242, "warning: x");

        // <PRI> = facility * 8 + severity (LOCAL0, LOG_WARNING = 4); ctime's day is space-padded.
        Assert.Matches(@"^<132>Nov  5 \d\d:01:02 netboot-dhcp\[4242\]: warning: x$", record);
    }

    [Fact]
    public void Levels_map_to_syslog_severities()
    {
        Assert.Equal([2, 3, 4, 6, 7], new[] { LogLevel.Critical, LogLevel.Error, LogLevel.Warning, LogLevel.Information, LogLevel.Debug }
            .Select(SyslogLoggerProvider.Severity));
    }

    [Fact]
    public void Syslog_provider_sends_one_datagram_per_line_to_the_socket()
    {
        var path = Path.Combine(_folder.FullName, "log.sock");
        using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        using var fallback = new StringWriter();
        using var provider = new SyslogLoggerProvider(3, LogLevel.Information, new FakeTimeProvider(Now), fallback, path);

        provider.CreateLogger("NetBoot.Hosting.Dhcp.DhcpService").LogWarning("PXE(eth0) 52:54:00:12:34:56 proxy\nforged line");

        var buffer = new byte[4096];
        var received = server.Receive(buffer);
        Assert.Matches($@"^<28>Nov  5 \d\d:01:02 netboot-dhcp\[{Environment.ProcessId}\]: warning: PXE\(eth0\) 52:54:00:12:34:56 proxy\\x0aforged line$",
            Encoding.UTF8.GetString(buffer, 0, received));
        Assert.Equal("", fallback.ToString());
    }

    [Fact]
    public void Syslog_provider_writes_to_the_fallback_when_there_is_no_syslog_socket()
    {
        using var fallback = new StringWriter();
        using var provider = new SyslogLoggerProvider(3, LogLevel.Information, new FakeTimeProvider(Now), fallback, Path.Combine(_folder.FullName, "none.sock"));

        provider.CreateLogger("netboot").LogInformation("started");

        Assert.Contains("netboot[", fallback.ToString(), StringComparison.Ordinal);
        Assert.Contains("]: started", fallback.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void File_lines_are_dnsmasq_shaped_with_tag_and_pid()
    {
        var path = Path.Combine(_folder.FullName, "netboot.log");
        using (var provider = new FileLoggerProvider(path, LogLevel.Information, new FakeTimeProvider(Now)))
        {
            provider.CreateLogger("NetBoot.Hosting.Tftp.TftpService").LogInformation("sent /srv/tftp/pxelinux.0 to 10.0.0.5");
            provider.CreateLogger("netboot").LogDebug("below the level");
        }

        var line = Assert.Single(File.ReadAllLines(path));
        Assert.Matches($@"^Nov  5 \d\d:01:02 netboot-tftp\[{Environment.ProcessId}\]: sent /srv/tftp/pxelinux.0 to 10.0.0.5$", line);
    }

    [Fact]
    public void A_file_renamed_away_and_reopened_loses_no_line_and_the_old_file_keeps_those_before()
    {
        var path = Path.Combine(_folder.FullName, "netboot.log");
        File.WriteAllText(path, "earlier line\n");
        using var provider = new FileLoggerProvider(path, LogLevel.Information, new FakeTimeProvider(Now));
        var logger = provider.CreateLogger("netboot");
        for (var i = 0; i < 100; i++)
        {
            Line(logger, i);
        }

        File.Move(path, path + ".1");
        // Written after logrotate's rename but before the signal: still the old file (the descriptor follows it).
        Line(logger, 100);
        Assert.Null(provider.Reopen());
        for (var i = 101; i < 200; i++)
        {
            Line(logger, i);
        }

        var rotated = File.ReadAllLines(path + ".1");
        var current = File.ReadAllLines(path);
        Assert.Equal("earlier line", rotated[0]);
        Assert.Equal(101, rotated.Length - 1);
        Assert.Equal(99, current.Length);
        var numbers = rotated.Skip(1).Concat(current).Select(l => int.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Enumerable.Range(0, 200), numbers);
    }

    [Fact]
    public void A_failed_reopen_keeps_writing_to_the_open_file()
    {
        var folder = Path.Combine(_folder.FullName, "gone");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "netboot.log");
        using var provider = new FileLoggerProvider(path, LogLevel.Information, new FakeTimeProvider(Now));
        var logger = provider.CreateLogger("netboot");
        File.Move(path, Path.Combine(_folder.FullName, "moved.log"));
        Directory.Delete(folder);

        Assert.NotNull(provider.Reopen());
        logger.LogInformation("still logged");

        Assert.Contains("still logged", File.ReadAllText(Path.Combine(_folder.FullName, "moved.log")), StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
