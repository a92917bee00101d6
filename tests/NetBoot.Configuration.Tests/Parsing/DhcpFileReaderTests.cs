using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Configuration.Summary;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Tests.Parsing;

/// <summary>dhcp-hostsfile, dhcp-optsfile, dhcp-hostsdir, dhcp-optsdir and read-ethers (dnsmasq.8; option.c
/// <c>one_file(…, LOPT_BANK)</c>, inotify.c, dhcp.c <c>read_ethers</c>).</summary>
public sealed class DhcpFileReaderTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private ServerConfig Load(string configuration, string? ethersPath = null)
    {
        var file = _directory.Write("netboot.conf", configuration);
        var result = DnsmasqConfigReader.Load(new ConfigInput { Files = [file], EthersPath = ethersPath ?? DhcpFileReader.EthersPath });
        Assert.True(result.IsValid, "expected a valid configuration, got: " + string.Join("; ", result.Errors));
        return result.Config!;
    }

    private static IEnumerable<ConfigNotice> FileErrors(ServerConfig config) =>
        config.Notices.Where(n => n.Kind == ConfigNoticeKind.FileLineError);

    [Fact]
    public void Hostsfile_lines_are_dhcp_host_values_without_the_directive_name()
    {
        var hosts = _directory.Write("hosts", "# Cobbler\n52:54:00:00:00:01,10.0.0.21,node1\n\n  52:54:00:00:00:02,set:ironic # trailing comment\n");

        var config = Load($"dhcp-range=10.0.0.10,10.0.0.50\ndhcp-hostsfile={hosts}\n");

        Assert.Equal(2, config.Hosts.Length);
        Assert.Equal(IPv4Address.Parse("10.0.0.21"), config.Hosts[0].Address);
        Assert.Equal("node1", config.Hosts[0].HostName);
        Assert.Equal(new SourceLocation(hosts, 2), config.Hosts[0].Source);
        Assert.Equal(["ironic"], config.Hosts[1].SetTags.ToArray());
        Assert.Equal(new SourceLocation(hosts, 4), config.Hosts[1].Source);
        Assert.Empty(FileErrors(config));
        Assert.DoesNotContain(config.Notices, n => n.Kind == ConfigNoticeKind.NotInEffect);
    }

    [Fact]
    public void Hosts_from_files_come_after_the_configuration_s_own()
    {
        var hosts = _directory.Write("hosts", "52:54:00:00:00:01,ignore\n");

        var config = Load($"dhcp-hostsfile={hosts}\ndhcp-host=52:54:00:00:00:02,set:conf\n");

        Assert.Equal(["conf"], config.Hosts[0].SetTags.ToArray());
        Assert.True(config.Hosts[1].IsIgnored);
    }

    [Fact]
    public void A_bad_line_is_reported_with_file_and_line_and_the_rest_of_the_file_is_read()
    {
        var hosts = _directory.Write("hosts", "52:54:00:00:00:01,set:a\n52:54:00:00:00:02,not a name!\n52:54:00:00:00:03,set:c\n");

        var config = Load($"dhcp-hostsfile={hosts}\n");

        Assert.Equal(["a", "c"], config.Hosts.Select(h => h.SetTags.Single()).ToArray());
        var error = Assert.Single(FileErrors(config));
        Assert.Equal(new SourceLocation(hosts, 2), error.Source);
        Assert.Equal("dhcp-host", error.Directive);
        Assert.Equal($"bad DHCP host name at line 2 of {hosts}", error.Describe());
        Assert.False(string.IsNullOrWhiteSpace(error.Hint));
    }

    [Fact]
    public void A_missing_hostsfile_is_reported_and_the_configuration_still_loads()
    {
        var config = Load($"dhcp-hostsfile={_directory.Path}/absent\ndhcp-host=52:54:00:00:00:02,set:conf\n");

        var error = Assert.Single(FileErrors(config));
        Assert.Contains("cannot read", error.Message, StringComparison.Ordinal);
        Assert.Single(config.Hosts);
    }

    [Fact]
    public void Hostsfile_may_name_a_directory_whose_files_are_read_in_name_order_skipping_backups_and_dot_files()
    {
        var dir = Path.Combine(_directory.Path, "hosts.d");
        _directory.Write("hosts.d/b-node", "52:54:00:00:00:02,set:b\n");
        _directory.Write("hosts.d/a-node", "52:54:00:00:00:01,set:a\n");
        _directory.Write("hosts.d/a-node~", "52:54:00:00:00:09,set:backup\n");
        _directory.Write("hosts.d/.hidden", "52:54:00:00:00:09,set:hidden\n");
        _directory.Write("hosts.d/#autosave#", "52:54:00:00:00:09,set:autosave\n");

        var config = Load($"dhcp-hostsfile={dir}\n");

        Assert.Equal(["a", "b"], config.Hosts.Select(h => h.SetTags.Single()).ToArray());
    }

    [Fact]
    public void Hostsdir_reads_its_files_and_is_marked_watched()
    {
        var dir = Path.Combine(_directory.Path, "dhcphosts");
        _directory.Write("dhcphosts/52-54-00-00-00-01", "52:54:00:00:00:01,ignore\n");

        var config = Load($"dhcp-hostsdir={dir}\n");

        Assert.True(Assert.Single(config.Hosts).IsIgnored);
        var source = Assert.Single(config.DhcpFiles);
        Assert.True(source.IsWatched);
        Assert.Equal("dhcp-hostsdir", source.Directive);
    }

    [Fact]
    public void A_hostsdir_that_does_not_exist_is_dnsmasq_s_bad_dynamic_directory()
    {
        var config = Load($"dhcp-hostsdir={_directory.Path}/absent\n");

        var error = Assert.Single(FileErrors(config));
        Assert.Equal($"bad dynamic directory {_directory.Path}/absent: No such file or directory", error.Message);
    }

    [Fact]
    public void Optsfile_lines_are_dhcp_option_values_with_tags()
    {
        var opts = _directory.Write("opts", "tag:ironic,option:bootfile-name,ipxe.efi\ntag:ironic,66,10.0.0.1\n");

        var config = Load($"dhcp-range=10.0.0.10,10.0.0.50\ndhcp-optsfile={opts}\n");

        Assert.Equal([67, 66], config.Options.Select(o => (int)o.Code).ToArray());
        Assert.All(config.Options, o => Assert.Equal("tag:ironic", o.Filter.ToString()));
        Assert.Equal(new SourceLocation(opts, 1), config.Options[0].Source);
        Assert.Contains(opts, config.SourceFiles);
    }

    [Fact]
    public void Optsdir_with_a_bad_line_keeps_the_other_files()
    {
        var dir = Path.Combine(_directory.Path, "dhcpopts");
        _directory.Write("dhcpopts/a", "tag:a,option:bogus-name,1\n");
        _directory.Write("dhcpopts/b", "tag:b,option:bootfile-name,b.efi\n");

        var config = Load($"dhcp-optsdir={dir}\n");

        Assert.Equal("tag:b", Assert.Single(config.Options).Filter.ToString());
        Assert.Equal(new SourceLocation(Path.Combine(dir, "a"), 1), Assert.Single(FileErrors(config)).Source);
    }

    [Fact]
    public void Read_ethers_gives_a_host_per_line_by_address_or_name()
    {
        var ethers = _directory.Write("ethers", "# comment\n52:54:00:00:00:01 10.0.0.21\n52:54:00:00:00:02\tnode2\nnot-a-mac node3\n");

        var config = Load("read-ethers\n", ethers);

        Assert.Equal(2, config.Hosts.Length);
        Assert.Equal(IPv4Address.Parse("10.0.0.21"), config.Hosts[0].Address);
        Assert.Equal("node2", config.Hosts[1].HostName);
        Assert.Equal(new SourceLocation(ethers, 4), Assert.Single(FileErrors(config)).Source);
        Assert.Equal(1, config.ReadEthers!.Value.Line);
    }

    [Fact]
    public void Overlay_puts_a_rewritten_host_before_the_line_it_replaces()
    {
        var dir = Path.Combine(_directory.Path, "dhcphosts");
        var file = _directory.Write("dhcphosts/node", "52:54:00:00:00:01,ignore\n");
        var config = Load($"dhcp-hostsdir={dir}\n");
        File.WriteAllText(file, "52:54:00:00:00:01,10.0.0.30,set:ironic\n");

        var next = DhcpFileOverlay.Apply(config, DhcpFileReader.ReadFile(file, DhcpFileKind.Hosts));

        Assert.Equal(2, next.Hosts.Length);
        Assert.Equal(["ironic"], next.Hosts[0].SetTags.ToArray());
        Assert.True(next.Hosts[1].IsIgnored, "dnsmasq only adds from inotify: the old line stays (looked up after) until SIGHUP");
    }

    [Fact]
    public void Overlay_drops_an_older_line_of_the_same_file_that_the_new_one_shadows_entirely_so_rewrites_do_not_pile_up()
    {
        var dir = Path.Combine(_directory.Path, "dhcphosts");
        var file = _directory.Write("dhcphosts/node", "52:54:00:00:00:01,ignore\n52:54:00:00:00:02,10.0.0.22\n");
        var config = Load($"dhcp-hostsdir={dir}\n");

        for (var i = 0; i < 5; i++)
        {
            File.WriteAllText(file, $"52:54:00:00:00:01,set:state{i}\n");
            config = DhcpFileOverlay.Apply(config, DhcpFileReader.ReadFile(file, DhcpFileKind.Hosts));
        }

        // The newest line for 52:54:00:00:00:01 alone (the ignore and the four earlier rewrites could never match again);
        // 52:54:00:00:00:02, no longer in the file, stays until SIGHUP as in dnsmasq.
        Assert.Equal(2, config.Hosts.Length);
        Assert.Equal(["state4"], config.Hosts[0].SetTags.ToArray());
        Assert.Equal(IPv4Address.Parse("10.0.0.22"), config.Hosts[1].Address);
    }

    [Fact]
    public void Overlay_replaces_the_same_file_s_option_for_the_same_option_and_tags()
    {
        var dir = Path.Combine(_directory.Path, "dhcpopts");
        var file = _directory.Write("dhcpopts/node", "tag:n1,option:bootfile-name,old.efi\ntag:n1,option:tftp-server,10.0.0.1\n");
        var config = Load($"dhcp-optsdir={dir}\n");
        File.WriteAllText(file, "tag:n1,option:bootfile-name,new.efi\n");

        var next = DhcpFileOverlay.Apply(config, DhcpFileReader.ReadFile(file, DhcpFileKind.Options));

        Assert.Equal(2, next.Options.Length);
        Assert.Equal("new.efi"u8.ToArray(), next.Options.Single(o => o.Code == 67).Value.ToArray());
        Assert.Contains(next.Options, o => o.Code == 66);
    }

    [Theory]
    [InlineData("node", true)]
    [InlineData("node~", false)]
    [InlineData(".node.swp", false)]
    [InlineData("#node#", false)]
    [InlineData("#node", true)]
    public void Names_dnsmasq_skips_in_watched_directories(string name, bool isRead) =>
        Assert.Equal(isRead, DhcpFileReader.IsReadableName(name));

    [Fact]
    public void Check_lists_the_files_and_the_hosts_read_from_them_with_file_and_line()
    {
        var hosts = _directory.Write("hosts", "52:54:00:00:00:01,set:ironic\n");

        var summary = ConfigSummary.Render(Load($"dhcp-hostsfile={hosts}\n"));

        Assert.Contains($"dhcp-hostsfile={hosts}  re-read at SIGHUP", summary, StringComparison.Ordinal);
        Assert.Contains($"52:54:00:00:00:01  address from a range  lease of the range  sets tag ironic  (at line 1 of {hosts})", summary, StringComparison.Ordinal);
    }
}
