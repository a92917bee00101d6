using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Configuration.Tests;

/// <summary>Parses configuration text and asserts the outcome, failing with every diagnostic listed.</summary>
internal static class ConfigAssert
{
    public const string File = "test.conf";

    public static ServerConfig Valid(string text)
    {
        var result = DnsmasqConfigReader.Parse(text, File);
        Assert.True(result.IsValid, "expected a valid configuration, got: " + string.Join("; ", result.Errors));
        return result.Config!;
    }

    public static ConfigDiagnostic SingleError(string text)
    {
        var result = DnsmasqConfigReader.Parse(text, File);
        Assert.Null(result.Config);
        return Assert.Single(result.Errors);
    }

    /// <summary>Asserts exactly one error with the message, at the line (in <see cref="File"/>), and with a hint.</summary>
    public static ConfigDiagnostic Error(string text, string message, int line = 1)
    {
        var error = SingleError(text);
        Assert.Equal(message, error.Message);
        Assert.Equal(new SourceLocation(File, line), error.Source);
        Assert.False(string.IsNullOrWhiteSpace(error.Hint), "every error carries a hint");
        return error;
    }

    public static byte[] Bytes(params int[] values) => values.Select(v => (byte)v).ToArray();
}
