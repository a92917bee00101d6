namespace NetBoot.Hosting;

internal static class HostingAssembly;
