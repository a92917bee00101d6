using NetBoot.Cli.Commands;

namespace NetBoot.Cli.Tests;

public class CommandLineTests
{
    private static NetBoot.Configuration.Parsing.ConfigInput ReadServe(params string[] args)
    {
        var arguments = new ConfigArguments();
        var command = new System.CommandLine.Command("serve");
        arguments.AddTo(command);
        var result = command.Parse(args);
        var input = arguments.Read(result, out var error);
        Assert.Null(error);
        return input;
    }

    [Fact]
    public void Directives_on_the_command_line_become_configuration_lines()
    {
        var input = ReadServe("--dhcp-range=10.0.0.0,proxy", "--pxe-service=x86PC,\"Boot\",pxelinux", "--enable-tftp", "--tftp-root=/srv/tftp");
        Assert.Equal(["dhcp-range=10.0.0.0,proxy", "pxe-service=x86PC,\"Boot\",pxelinux", "enable-tftp", "tftp-root=/srv/tftp"], input.CommandLine.ToArray());
    }

    [Fact]
    public void Conf_file_is_accepted_in_short_long_and_equals_forms()
    {
        var input = ReadServe("-C", "a.conf", "--conf-file=b.conf", "--conf-file", "c.conf", "--conf-dir=/etc/dnsmasq.d,.dpkg-dist");
        Assert.Equal(["a.conf", "b.conf", "c.conf"], input.Files.ToArray());
        Assert.Equal(["/etc/dnsmasq.d,.dpkg-dist"], input.Directories.ToArray());
        Assert.Empty(input.CommandLine);
    }

    [Fact]
    public void A_stray_word_is_a_command_line_error()
    {
        var arguments = new ConfigArguments();
        var command = new System.CommandLine.Command("serve");
        arguments.AddTo(command);
        arguments.Read(command.Parse(["dhcp-range=10.0.0.0,proxy"]), out var error);
        Assert.Equal("bad command line options: 'dhcp-range=10.0.0.0,proxy' is not a --directive[=value]", error);
    }
}
