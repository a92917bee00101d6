namespace NetBoot.Cli.Tests;

/// <summary><c>tftp-get</c> refuses option values outside their RFC's range, with the option, the value and the range,
/// before anything is sent; the limits themselves are accepted.</summary>
public sealed class TftpGetOptionTests
{
    [Theory]
    [InlineData("--blksize", "7", "8 and 65464")]
    [InlineData("--blksize", "65465", "8 and 65464")]
    [InlineData("--windowsize", "0", "1 and 65535")]
    [InlineData("--windowsize", "65536", "1 and 65535")]
    [InlineData("--timeout", "0", "1 and 255")]
    [InlineData("--timeout", "256", "1 and 255")]
    public async Task A_value_out_of_range_is_refused_with_a_clear_error(string option, string value, string range)
    {
        var (code, _, stderr) = await CliRun.InvokeAsync("tftp-get", option, value, "127.0.0.1", "file");
        Assert.Equal(1, code);
        Assert.Contains($"{option} {value}: must be between {range}", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--blksize", "8")]
    [InlineData("--blksize", "65464")]
    [InlineData("--windowsize", "1")]
    [InlineData("--windowsize", "65535")]
    [InlineData("--timeout", "1")]
    [InlineData("--timeout", "255")]
    public void The_limits_are_accepted(string option, string value)
    {
        var parse = NetBoot.Cli.Commands.NetBootCommandLine.Build().Parse(["tftp-get", option, value, "127.0.0.1", "file"]);
        Assert.Empty(parse.Errors);
    }
}
