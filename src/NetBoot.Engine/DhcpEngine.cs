using NetBoot.Configuration.Model;

namespace NetBoot.Engine;

/// <summary>Entry point of the DHCP-side decisions: picks the responder for a request (proxy offer on 67,
/// boot server on 4011, and later full DHCP) and returns its decision.</summary>
public static class DhcpEngine
{
    public static Decision Decide(DhcpRequest request, ServerConfig config) => throw new NotImplementedException();
}
