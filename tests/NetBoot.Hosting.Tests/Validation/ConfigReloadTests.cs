using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Validation;

namespace NetBoot.Hosting.Tests.Validation;

/// <summary>Reload goes through the validation check and start-up use: what they refuse, reload refuses, in the same
/// words, and the configuration being served stays.</summary>
public sealed class ConfigReloadTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("netboot-reload-").FullName;

    private string ConfigFile => Path.Combine(_work, "netboot.conf");

    private string TftpRoot => Path.Combine(_work, "tftp");

    private string Text(string tftpRoot, int timeout = 3) => $"""
        dhcp-range=10.0.0.0,proxy
        enable-tftp
        tftp-root={tftpRoot}
        pxe-prompt="Press F8", {timeout}
        pxe-service=X86PC,"Local disk",0
        """;

    private ConfigLoadResult Load() =>
        ConfigLoading.Load(() => DnsmasqConfigReader.Load(new ConfigInput { Files = [ConfigFile] }), new SystemConfigEnvironment());

    private ConfigSnapshot Start()
    {
        Directory.CreateDirectory(TftpRoot);
        File.WriteAllText(ConfigFile, Text(TftpRoot));
        var loaded = Load();
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        return new ConfigSnapshot(loaded.Config!);
    }

    [Fact]
    public void A_reload_whose_tftp_root_is_gone_is_refused_with_the_validators_words_and_the_old_configuration_stays()
    {
        var snapshot = Start();
        var serving = snapshot.Current;
        Directory.Delete(TftpRoot);

        var reloaded = Load();
        var swapped = ConfigLoading.Reload(snapshot, reloaded);

        Assert.False(swapped);
        Assert.Same(serving, snapshot.Current);
        var error = Assert.Single(reloaded.Errors);
        Assert.Equal($"tftp-root {TftpRoot} does not exist at line 3 of {ConfigFile}", error.ToString());
        // The very words check and start-up print: they come from the same validator.
        var direct = ConfigValidator.Validate(serving, new SystemConfigEnvironment());
        Assert.Equal(error, Assert.Single(direct.Errors));
    }

    [Fact]
    public void A_reload_naming_an_unknown_user_is_refused_with_its_line()
    {
        var snapshot = Start();
        File.WriteAllText(ConfigFile, Text(TftpRoot) + "\nuser=no-such-netboot-user\n");

        var reloaded = Load();

        Assert.False(ConfigLoading.Reload(snapshot, reloaded));
        Assert.Equal($"unknown user no-such-netboot-user at line 6 of {ConfigFile}", Assert.Single(reloaded.Errors).ToString());
    }

    [Fact]
    public void A_valid_reload_is_swapped_in_with_its_warnings_among_the_notices()
    {
        var snapshot = Start();
        File.WriteAllText(ConfigFile, Text(TftpRoot, timeout: 7) + "\ndhcp-boot=pxelinux.0\n");

        Assert.True(ConfigLoading.Reload(snapshot, Load()));

        Assert.Equal(7, Assert.Single(snapshot.Current.PxePrompts).Timeout);
        Assert.Contains(snapshot.Current.Notices, n => n.Directive == "dhcp-boot" && n.Message.StartsWith($"boot file pxelinux.0 is not in {TftpRoot}", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
