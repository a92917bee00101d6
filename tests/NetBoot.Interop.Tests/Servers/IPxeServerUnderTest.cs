using NetBoot.Interop.Tests.Lab;

namespace NetBoot.Interop.Tests.Servers;

/// <summary>A PXE server the lab can run in its server namespace on the adapted reference configuration.</summary>
public interface IPxeServerUnderTest
{
    string Name { get; }

    /// <summary>What its log says, as patterns the tests wait for.</summary>
    ServerLogExpectations Log { get; }

    /// <summary>UDP ports bound once it is ready: 67 (proxyDHCP), 4011 (boot server), 69 (TFTP).</summary>
    IReadOnlyCollection<int> ReadyPorts => [67, 4011, 69];

    LabProcess Start(NamespaceLab lab, LtspScenario scenario);
}
