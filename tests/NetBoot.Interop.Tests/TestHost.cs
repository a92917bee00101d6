using System.Runtime.CompilerServices;

namespace NetBoot.Interop.Tests;

/// <summary>Set-up of the test host process itself.</summary>
internal static class TestHost
{
    /// <summary>Lab processes block thread-pool threads while they run (reads of their output, waits for their exit), and
    /// a long run of tests leaves the pool at its minimum with all of them busy: a continuation then waits for the pool
    /// to grow by one thread every half second or so. A test that must act on a line as it is printed (Ctrl-C during the
    /// demo's five-second boot) saw it seconds late in whole-suite runs. A higher minimum lets the pool start threads at
    /// once.</summary>
#pragma warning disable CA2255 // a module initializer is what runs before any test of this assembly
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RaiseThreadPoolMinimum()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(completionPorts, 64));
    }
}
