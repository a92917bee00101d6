namespace NetBoot.Leases;

/// <summary>The lease stores (SQLite by default) behind the engine's lease contract. Filled by the full-DHCP work.</summary>
internal static class LeasesAssembly;
