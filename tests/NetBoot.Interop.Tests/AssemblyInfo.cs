using System.Runtime.Versioning;

// Network namespaces, taps and dnsmasq: these tests exist only on Linux.
[assembly: SupportedOSPlatform("linux")]

// Each interop test boots a whole VM under TCG on a two-core machine: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
