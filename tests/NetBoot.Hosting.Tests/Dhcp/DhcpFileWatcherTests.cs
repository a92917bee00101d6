using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Tests.Http;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary>The inotify watch of dhcp-hostsdir/dhcp-optsdir on a scratch directory: what a written file changes in the
/// configuration in force, and what dnsmasq never reads (editor backups, dot files). Each step awaits the watcher's own
/// log line; inotify delivers events in order, so a later file's line proves an earlier one was handled.</summary>
public sealed class DhcpFileWatcherTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-hostsdir-").FullName;

    private ConfigSnapshot Snapshot(string directives)
    {
        var loaded = DnsmasqConfigReader.Parse(directives);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        return new ConfigSnapshot(loaded.Config!);
    }

    [Fact]
    public async Task A_file_written_into_the_hostsdir_is_applied_and_backups_and_dot_files_are_not()
    {
        var snapshot = Snapshot($"dhcp-hostsdir={_directory}");
        var logger = new RecordingLogger<DhcpFileWatcherTests>();
        using var watcher = DhcpFileWatcher.Start(snapshot, logger);
        Assert.NotNull(watcher);

        File.WriteAllText(Path.Combine(_directory, "node~"), "52:54:00:00:00:09,set:backup\n");
        File.WriteAllText(Path.Combine(_directory, ".node.swp"), "52:54:00:00:00:09,set:hidden\n");
        File.WriteAllText(Path.Combine(_directory, "node"), "52:54:00:00:00:01,set:ironic\n");
        await logger.WaitForAsync(l => l.StartsWith($"inotify: {_directory}/node new or modified", StringComparison.Ordinal));

        var host = Assert.Single(snapshot.Current.Hosts);
        Assert.Equal(["ironic"], host.SetTags.ToArray());
        Assert.Equal(new Configuration.Model.SourceLocation(Path.Combine(_directory, "node"), 1), host.Source);
    }

    [Fact]
    public async Task A_rewritten_file_s_new_line_replaces_the_one_it_shadows_and_a_bad_line_is_logged_with_file_and_line()
    {
        var node = Path.Combine(_directory, "node");
        File.WriteAllText(node, "52:54:00:00:00:01,ignore\n");
        var snapshot = Snapshot($"dhcp-hostsdir={_directory}");
        var logger = new RecordingLogger<DhcpFileWatcherTests>();
        using var watcher = DhcpFileWatcher.Start(snapshot, logger);
        Assert.NotNull(watcher);

        File.WriteAllText(node, "52:54:00:00:00:01,set:ironic\n52:54:00:00:00:02,two names,here\n");
        await logger.WaitForAsync(l => l.StartsWith($"inotify: {node} new or modified: 1 dhcp-host", StringComparison.Ordinal));

        Assert.Equal(["ironic"], Assert.Single(snapshot.Current.Hosts).SetTags.ToArray());
        Assert.Contains(logger.Lines, l => l.Contains($"at line 2 of {node}: ", StringComparison.Ordinal) && l.EndsWith("that line is skipped, the rest is served", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_a_reload_the_directories_of_the_new_configuration_are_watched()
    {
        var other = Directory.CreateDirectory(Path.Combine(_directory, "opts")).FullName;
        var snapshot = Snapshot("dhcp-range=10.0.0.0,proxy");
        var logger = new RecordingLogger<DhcpFileWatcherTests>();
        using var watcher = DhcpFileWatcher.Start(snapshot, logger);
        Assert.NotNull(watcher);

        var reloaded = Snapshot($"dhcp-optsdir={other}").Current;
        snapshot.Swap(reloaded);
        watcher.Follow(reloaded);
        File.WriteAllText(Path.Combine(other, "n1"), "tag:n1,option:domain-name,lab\n");
        await logger.WaitForAsync(l => l.StartsWith($"inotify: {other}/n1 new or modified: 0 dhcp-host and 1 dhcp-option", StringComparison.Ordinal));

        Assert.Equal("tag:n1", Assert.Single(snapshot.Current.Options).Filter.ToString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
