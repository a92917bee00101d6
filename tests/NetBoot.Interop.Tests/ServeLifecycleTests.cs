using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests;

/// <summary>The published <c>netboot serve</c> as an administrator runs it: refuses bad input, stops on SIGTERM,
/// reloads on SIGHUP, refuses to start beside another server. Each runs in its own namespace on loopback.</summary>
[Trait("Category", "Interop")]
public sealed class ServeLifecycleTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly NetworkNamespace _namespace = NetworkNamespace.Create("nbserve");
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-serve-").FullName;

    private string Config => Path.Combine(_directory, "netboot.conf");

    private const string LoopbackProxy = """
        interface=lo
        dhcp-range=127.0.0.0,proxy
        pxe-prompt="Press F8 for boot menu", 3
        pxe-service=X86PC, "Boot from network", pxelinux
        """;

    private LabProcess Serve(string name, params string[] extra) =>
        LabProcess.Start(name, Path.Combine(_directory, name + ".log"), "ip",
            ["netns", "exec", _namespace.Name, Path.Combine(NetBootServer.PublishDirectory, "netboot"), "serve", "-C", Config, .. extra]);

    private static Regex Line(string text) => new(Regex.Escape(text));

    [Fact]
    public async Task A_bad_configuration_is_refused_with_file_line_and_hint_and_exit_code_1()
    {
        File.WriteAllText(Config, LoopbackProxy + "\ndhcp-range=e0,10.0.0.1,10.0.0.9\n");
        await using var server = Serve("bad");

        Assert.Equal(1, await server.WaitForExitAsync(Patience));
        var log = server.Log.ReadAll();
        Assert.Contains($"netboot: bad dhcp-range at line 5 of {Config}", log, StringComparison.Ordinal);
        Assert.Contains("hint:", log, StringComparison.Ordinal);
        Assert.Contains("FAILED to start up", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_stops_the_server_gracefully_with_exit_code_0()
    {
        File.WriteAllText(Config, LoopbackProxy);
        await using var server = Serve("term");
        await server.Log.WaitForAsync(Line("started"), Patience, stillAlive: server.EnsureRunning);

        server.Signal(15);

        Assert.Equal(0, await server.WaitForExitAsync(Patience));
        Assert.Contains("exiting on request", server.Log.ReadAll(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sighup_keeps_the_old_configuration_when_the_new_one_is_bad_and_takes_a_good_one()
    {
        File.WriteAllText(Config, LoopbackProxy);
        await using var server = Serve("hup");
        await server.Log.WaitForAsync(Line("started"), Patience, stillAlive: server.EnsureRunning);

        File.WriteAllText(Config, LoopbackProxy + "\npxe-service=X86PC\n");
        server.Signal(1);
        await server.Log.WaitForAsync(new Regex($@"reload refused, still serving the previous configuration: bad pxe-service at line 5 of {Regex.Escape(Config)}"), Patience, stillAlive: server.EnsureRunning);

        File.WriteAllText(Config, LoopbackProxy.Replace(", 3", ", 5", StringComparison.Ordinal));
        server.Signal(1);
        await server.Log.WaitForAsync(Line("configuration reloaded from"), Patience, stillAlive: server.EnsureRunning);
        server.EnsureRunning();
    }

    [Fact]
    public async Task A_second_server_on_the_same_ports_fails_to_start_instead_of_answering_twice()
    {
        File.WriteAllText(Config, LoopbackProxy);
        await using var first = Serve("first");
        await first.Log.WaitForAsync(Line("started"), Patience, stillAlive: first.EnsureRunning);
        await using var second = Serve("second");

        Assert.Equal(2, await second.WaitForExitAsync(Patience));
        var log = second.Log.ReadAll();
        Assert.Contains("FAILED to start up", log, StringComparison.Ordinal);
        Assert.Contains("another server holds the port", log, StringComparison.Ordinal);
        first.EnsureRunning();
    }

    public void Dispose()
    {
        _namespace.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
