using Microsoft.Extensions.Logging;
using NetBoot.Cli.Commands;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting;

namespace NetBoot.Cli.Tests;

public sealed class ReloadTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"netboot-reload-{Guid.NewGuid():N}.conf");

    private const string Valid = """
        dhcp-range=10.0.0.0,proxy
        pxe-prompt="Press F8 for boot menu", 3
        pxe-service=X86PC, "Boot from network", pxelinux
        """;

    private (ConfigSource Input, ConfigSnapshot Snapshot) Start(string text = Valid)
    {
        File.WriteAllText(_file, text);
        var source = new ConfigSource(new ConfigInput { Files = [_file] });
        var loaded = source.LoadForServe();
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        return (source, new ConfigSnapshot(loaded.Config!));
    }

    [Fact]
    public void A_tftp_root_gone_since_start_is_refused_with_the_words_check_prints_and_the_old_configuration_keeps_serving()
    {
        var root = Directory.CreateTempSubdirectory("netboot-reload-root-").FullName;
        var (input, snapshot) = Start(Valid + $"\nenable-tftp\ntftp-root={root}\n");
        var before = snapshot.Current;
        Directory.Delete(root);
        var logger = new ListLogger();

        var reloaded = ServeCommand.Reload(input, snapshot, logger);

        Assert.False(reloaded);
        Assert.Same(before, snapshot.Current);
        var refused = $"tftp-root {root} does not exist at line 5 of {_file}";
        Assert.Equal($"reload refused, still serving the previous configuration: {refused} (create it (mkdir -p {root}) and put the boot files there, correct the path, or add tftp-no-fail to serve without it)",
            Assert.Single(logger.Lines));
        Assert.DoesNotContain(logger.Lines, l => l.Contains("configuration reloaded", StringComparison.Ordinal));
        // check says the same of the same file.
        var check = new StringWriter();
        ConfigArguments.ReportErrors(check, new ConfigSource(new ConfigInput { Files = [_file] }).LoadWithoutSideEffects().Errors);
        Assert.StartsWith($"netboot: {refused}\n", check.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_changed_file_is_swapped_in()
    {
        var (input, snapshot) = Start();
        File.WriteAllText(_file, Valid.Replace(", 3", ", 7", StringComparison.Ordinal));

        var reloaded = ServeCommand.Reload(input, snapshot, new ListLogger());

        Assert.True(reloaded);
        Assert.Equal(7, Assert.Single(snapshot.Current.PxePrompts).Timeout);
    }

    [Fact]
    public void An_invalid_file_is_refused_with_its_line_and_the_old_configuration_keeps_serving()
    {
        var (input, snapshot) = Start();
        var before = snapshot.Current;
        File.WriteAllText(_file, Valid + "\ndhcp-range=e0,10.0.0.1,10.0.0.9\n");
        var logger = new ListLogger();

        var reloaded = ServeCommand.Reload(input, snapshot, logger);

        Assert.False(reloaded);
        Assert.Same(before, snapshot.Current);
        Assert.Contains(logger.Lines, l => l.Contains($"bad dhcp-range at line 4 of {_file}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_reload_adding_the_first_ipv6_range_says_dhcpv6_and_router_advertisements_start_at_the_next_start()
    {
        var (input, snapshot) = Start();
        File.WriteAllText(_file, Valid + "\ndhcp-range=fd00::100,fd00::1ff,64,1h\nenable-ra\n");
        var logger = new ListLogger();

        Assert.True(ServeCommand.Reload(input, snapshot, logger));

        Assert.Contains($"dhcp-range at line 4 of {_file}: the first DHCPv6 range was added by this reload: DHCPv6 was not running and starts at the next start (restart netboot)", logger.Lines);
        Assert.Contains($"enable-ra in {_file}: router advertisements were asked for by this reload: they were not being sent and start at the next start (restart netboot)", logger.Lines);

        // Reloading again with the same ranges says nothing more: the notice is about what this reload added.
        var again = new ListLogger();
        Assert.True(ServeCommand.Reload(input, snapshot, again));
        Assert.DoesNotContain(again.Lines, l => l.Contains("next start", StringComparison.Ordinal));
    }

    public void Dispose() => File.Delete(_file);

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
