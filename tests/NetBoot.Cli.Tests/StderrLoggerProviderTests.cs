using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NetBoot.Cli.Commands;

namespace NetBoot.Cli.Tests;

public class StderrLoggerProviderTests
{
    [Theory]
    [InlineData("NetBoot.Hosting.Dhcp.DhcpService", "netboot-dhcp")]
    [InlineData("NetBoot.Hosting.Tftp.TftpService", "netboot-tftp")]
    [InlineData("NetBoot.Hosting.Http.HttpBootService", "netboot-http")]
    [InlineData("netboot", "netboot")]
    public void Categories_become_dnsmasq_like_tags(string category, string tag) =>
        Assert.Equal(tag, StderrLoggerProvider.Tag(category));

    [Fact]
    public void A_line_carries_time_tag_severity_and_message_and_debug_is_filtered_out()
    {
        var output = new StringWriter();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 21, 50, 48, TimeSpan.Zero));
        using var provider = new StderrLoggerProvider(output, LogLevel.Information, time);
        var logger = provider.CreateLogger("NetBoot.Hosting.Dhcp.DhcpService");

        logger.Log(LogLevel.Information, 0, "PXE(eth0) 52:54:00:12:34:56 proxy", null, (s, _) => s);
        logger.Log(LogLevel.Warning, 0, "malformed DHCP packet", null, (s, _) => s);
        logger.Log(LogLevel.Debug, 0, "not shown", null, (s, _) => s);

        var local = time.GetUtcNow().ToLocalTime().ToString("MMM dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(
            $"{local} netboot-dhcp: PXE(eth0) 52:54:00:12:34:56 proxy\n{local} netboot-dhcp: warning: malformed DHCP packet\n",
            output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void A_control_character_left_in_a_message_cannot_start_a_line_of_its_own()
    {
        var output = new StringWriter();
        using var provider = new StderrLoggerProvider(output, LogLevel.Information, new FakeTimeProvider());
        var logger = provider.CreateLogger("NetBoot.Hosting.Tftp.TftpService");

        logger.Log(LogLevel.Warning, 0, "cannot read x: disk said\nNov 25 21:50:48 netboot-dhcp: forged\u001b[2J", null, (s, _) => s);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.EndsWith("warning: cannot read x: disk said\\x0aNov 25 21:50:48 netboot-dhcp: forged\\x1b[2J", line, StringComparison.Ordinal);
    }
}
