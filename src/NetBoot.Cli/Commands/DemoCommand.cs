using System.CommandLine;
using System.Runtime.InteropServices;
using NetBoot.Cli.Demo;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot demo [--uefi | --arm64] [--yes] [--timeout S] [--keep]</c>: boots a VM from NetBoot in a private lab
/// of network namespaces and removes everything afterwards (<see cref="DemoRun"/>).</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var uefi = new Option<bool>("--uefi") { Description = "Boot an x86-64 UEFI PC (OVMF) instead of a BIOS PC." };
        var arm64 = new Option<bool>("--arm64") { Description = "Boot an ARM64 UEFI machine (AAVMF, qemu-system-aarch64)." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Install missing Debian packages with apt-get without asking." };
        var timeout = new Option<int?>("--timeout")
        {
            Description = "Seconds to wait for the VM to boot (default 120; it takes 10 to 20 s on an idle machine).",
            HelpName = "SECONDS",
        };
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1 or > 3600)
            {
                result.AddError("--timeout must be between 1 and 3600 seconds");
            }
        });
        var keep = new Option<bool>("--keep") { Description = "Keep the work folder (configuration, boot root, logs) afterwards." };
        var command = new Command("demo",
            "Boot a VM from NetBoot in a private lab (network namespaces, a router with its own DHCP server, QEMU) and remove it all afterwards; needs root.")
        {
            uefi, arm64, yes, timeout, keep,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(uefi) && result.GetValue(arm64))
            {
                result.AddError("--uefi and --arm64 exclude each other (--arm64 boots UEFI)");
            }
        });
        // Synchronous on purpose: an asynchronous action would be cut short by System.CommandLine 2 s after Ctrl-C, and
        // the demo must finish removing its namespaces and processes whatever the signal.
        command.SetAction(result =>
        {
            var mode = result.GetValue(arm64) ? DemoMode.Arm64 : result.GetValue(uefi) ? DemoMode.Uefi : DemoMode.Bios;
            var seconds = result.GetValue(timeout) ?? 120;
            var options = new DemoOptions(mode, result.GetValue(yes), TimeSpan.FromSeconds(seconds), result.GetValue(keep));
            using var interrupt = new CancellationTokenSource();
            // Ctrl-C, kill, a closed terminal: stop waiting, then clean up as on any other ending.
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Interrupt(signal, interrupt));
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Interrupt(signal, interrupt));
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal => Interrupt(signal, interrupt));
            return new DemoRun(options, Console.Out).RunAsync(interrupt.Token).GetAwaiter().GetResult();
        });
        return command;
    }

    private static void Interrupt(PosixSignalContext signal, CancellationTokenSource interrupt)
    {
        signal.Cancel = true;
        interrupt.Cancel();
    }
}
