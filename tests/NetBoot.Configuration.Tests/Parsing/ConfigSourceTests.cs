using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Configuration.Tests.Parsing;

public class ConfigSourceTests
{
    [Fact]
    public void Conf_file_is_read_in_place_and_errors_name_the_included_file()
    {
        using var directory = new TemporaryDirectory();
        var included = directory.Write("extra.conf", "log-dhcp\n\ndhcp-range=e0,10.0.0.1,10.0.0.9\n");
        var main = directory.Write("main.conf", $"port=0\nconf-file={included}\n");
        var result = DnsmasqConfigReader.Load(new ConfigInput { Files = [main] });
        var error = Assert.Single(result.Errors);
        Assert.Equal($"bad dhcp-range at line 3 of {included}", error.ToString());
    }

    [Fact]
    public void Conf_file_keeps_directive_order_and_lists_source_files()
    {
        using var directory = new TemporaryDirectory();
        var included = directory.Write("b.conf", "pxe-service=x86PC,\"second\",b\n");
        var main = directory.Write("a.conf", $"pxe-service=x86PC,\"first\",a\nconf-file={included}\npxe-service=x86PC,\"third\",c\n");
        var config = DnsmasqConfigReader.Load(new ConfigInput { Files = [main] }).Config!;
        Assert.Equal(["first", "second", "third"], config.PxeServices.Select(s => s.MenuText));
        Assert.Equal([0x8000, 0x8001, 0x8002], config.PxeServices.Select(s => (int)s.BootServerType));
        Assert.Equal([main, included], config.SourceFiles.ToArray());
    }

    [Fact]
    public void A_file_already_read_is_skipped()
    {
        using var directory = new TemporaryDirectory();
        var a = directory.Write("a.conf", "conf-file=" + Path.Combine(directory.Path, "b.conf") + "\ndhcp-boot=a\n");
        directory.Write("b.conf", "conf-file=" + a + "\ndhcp-boot=b\n");
        var result = DnsmasqConfigReader.Load(new ConfigInput { Files = [a, a] });
        Assert.True(result.IsValid);
        Assert.Equal(["b", "a"], result.Config!.BootFiles.Select(b => b.FileName));
    }

    [Fact]
    public void Missing_file_is_cannot_read()
    {
        using var directory = new TemporaryDirectory();
        var missing = Path.Combine(directory.Path, "nope.conf");
        var main = directory.Write("main.conf", $"log-dhcp\nconf-file={missing}\n");
        var error = Assert.Single(DnsmasqConfigReader.Load(new ConfigInput { Files = [main] }).Errors);
        Assert.Equal($"cannot read {missing}: No such file or directory", error.Message);
        Assert.Equal(new SourceLocation(main, 2), error.Source);
    }

    [Fact]
    public void Missing_top_level_file_is_located_on_the_command_line()
    {
        var error = Assert.Single(DnsmasqConfigReader.Load(new ConfigInput { Files = ["/nonexistent/netboot.conf"] }).Errors);
        Assert.Equal("cannot read /nonexistent/netboot.conf: No such file or directory", error.ToString());
        Assert.True(error.Source.IsCommandLine);
    }

    [Fact]
    public void Conf_dir_reads_files_in_strcmp_order_skipping_backups_dotfiles_and_hash_files()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("b.conf", "dhcp-boot=b\n");
        directory.Write("A.conf", "dhcp-boot=A\n");
        directory.Write("a.conf", "dhcp-boot=a\n");
        directory.Write("a.conf~", "bad line\n");
        directory.Write(".hidden", "bad line\n");
        directory.Write("#a.conf#", "bad line\n");
        directory.Write("c.conf.dpkg-old", "bad line\n");
        directory.Write("sub/d.conf", "bad line\n");
        var result = DnsmasqConfigReader.Load(new ConfigInput { Directories = [directory.Path + ",.dpkg-dist,.dpkg-old,.dpkg-new"] });
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(["A", "a", "b"], result.Config!.BootFiles.Select(b => b.FileName));
    }

    [Fact]
    public void Conf_dir_with_required_suffix_reads_only_matching_files()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("ltsp.conf", "dhcp-boot=ltsp\n");
        directory.Write("hosts", "127.0.0.1 localhost\n");
        var main = directory.Write("main.conf", $"conf-dir={directory.Path},*.conf\n");
        var config = DnsmasqConfigReader.Load(new ConfigInput { Files = [main] }).Config!;
        Assert.Equal(["ltsp"], config.BootFiles.Select(b => b.FileName));
    }

    [Fact]
    public void Stray_hosts_file_in_conf_dir_is_bad_option_at_line_1()
    {
        using var directory = new TemporaryDirectory();
        var hosts = directory.Write("hosts", "127.0.0.1 localhost\n");
        var error = Assert.Single(DnsmasqConfigReader.Load(new ConfigInput { Directories = [directory.Path] }).Errors);
        Assert.Equal($"bad option at line 1 of {hosts}", error.ToString());
    }

    [Fact]
    public void Missing_conf_dir_is_cannot_access_directory()
    {
        var error = Assert.Single(DnsmasqConfigReader.Load(new ConfigInput { Directories = ["/nonexistent/dnsmasq.d"] }).Errors);
        Assert.Equal("cannot access directory /nonexistent/dnsmasq.d: No such file or directory", error.Message);
    }

    [Fact]
    public void Command_line_then_directories_then_files()
    {
        using var directory = new TemporaryDirectory();
        var dir = Path.Combine(directory.Path, "d");
        directory.Write("d/x.conf", "dhcp-boot=dir\n");
        var file = directory.Write("main.conf", "dhcp-boot=file\n");
        var config = DnsmasqConfigReader.Load(new ConfigInput { CommandLine = ["dhcp-boot=cli"], Directories = [dir], Files = [file] }).Config!;
        Assert.Equal(["cli", "dir", "file"], config.BootFiles.Select(b => b.FileName));
    }
}
