using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Ipv6;

/// <summary>NetBoot's router advertisements configure a real Linux host: in the client namespace the kernel (accept_ra=2,
/// forwarding 0) forms a SLAAC address in the advertised prefix and a default route via NetBoot's link-local address;
/// rdisc6 (ndisc6) solicits and prints the RA's flags and lifetimes as received.</summary>
[Trait("Category", "Interop")]
public sealed class RouterAdvertisementTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ra_stateless_constructor_range_gives_the_kernel_a_slaac_address_and_a_default_route()
    {
        await using var lab = Prepare("2001:db8:78::1/64");
        await lab.StartServerAsync("enable-ra\ndhcp-range=::,constructor:nbs0,ra-stateless");

        await AssertKernelConfiguredAsync(lab, "2001:db8:78:");

        var ra = await SolicitAsync(lab);
        Assert.Matches(@"Stateful address conf\.\s+:\s+No", ra);
        Assert.Matches(@"Stateful other conf\.\s+:\s+Yes", ra);
        Assert.Matches(@"Router lifetime\s+:\s+1800 ", ra);
        Assert.Matches(@"Prefix\s+:\s+2001:db8:78::/64", ra);
        Assert.Matches(@"Autonomous address conf\.\s*:\s+Yes", ra);
        await lab.ServerProcess.Log.WaitForAsync(new Regex(@"RTR-SOLICIT\(nbs0\) "), Deadline, 0, lab.ServerProcess.EnsureRunning);
    }

    [Fact]
    public async Task Slaac_range_with_ra_param_advertises_its_lease_time_priority_and_router_lifetime()
    {
        await using var lab = Prepare("2001:db8:79::1/64");
        await lab.StartServerAsync("ra-param=nbs0,high,30,120\ndhcp-range=2001:db8:79::,slaac,64,1h");

        await AssertKernelConfiguredAsync(lab, "2001:db8:79:");

        var ra = await SolicitAsync(lab);
        Assert.Matches(@"Stateful address conf\.\s+:\s+No", ra);
        Assert.Matches(@"Stateful other conf\.\s+:\s+No", ra);
        Assert.Matches(@"Router preference\s+:\s+high", ra);
        Assert.Matches(@"Router lifetime\s+:\s+120 ", ra);
        Assert.Matches(@"Valid time\s+:\s+3600 ", ra);
        Assert.Matches(@"Pref\. time\s+:\s+3600 ", ra);
    }

    /// <summary>The server end gets its global address (without DAD: ready at once); the client end accepts RAs and gets
    /// its link-local address back (the lab flushed every address of nbc0): down and up regenerates it.</summary>
    private static DhcpLab Prepare(string serverCidr)
    {
        var lab = DhcpLab.Create();
        lab.Server.Exec("ip", "addr", "add", serverCidr, "dev", "nbs0", "nodad");
        lab.Client.Exec("sysctl", "-q", "-w", "net.ipv6.conf.nbc0.forwarding=0", "net.ipv6.conf.nbc0.accept_ra=2", "net.ipv6.conf.nbc0.autoconf=1");
        lab.Client.Exec("ip", "link", "set", "nbc0", "down");
        lab.Client.Exec("ip", "link", "set", "nbc0", "up");
        return lab;
    }

    /// <summary>Polls the client's addresses and routes until the SLAAC address and the default route via NetBoot's
    /// link-local address are there, within <see cref="Deadline"/>.</summary>
    private static async Task AssertKernelConfiguredAsync(DhcpLab lab, string prefix)
    {
        await lab.ServerProcess.Log.WaitForAsync(new Regex($@"RTR-ADVERT\(nbs0\) {Regex.Escape(prefix)}:"), Deadline, 0, lab.ServerProcess.EnsureRunning);
        var serverLinkLocal = Regex.Match(lab.Server.Exec("ip", "-6", "addr", "show", "dev", "nbs0", "scope", "link"), @"inet6 (fe80::[0-9a-f:]+)/64").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(serverLinkLocal), lab.Failure("the server end has no link-local address"));
        var until = DateTime.UtcNow + Deadline;
        string addresses = "", routes = "";
        while (DateTime.UtcNow < until)
        {
            addresses = lab.Client.Exec("ip", "-6", "addr", "show", "dev", "nbc0", "scope", "global");
            routes = lab.Client.Exec("ip", "-6", "route", "show", "default", "dev", "nbc0");
            if (addresses.Contains("inet6 " + prefix, StringComparison.Ordinal) && routes.Contains("via " + serverLinkLocal + " ", StringComparison.Ordinal))
            {
                Assert.Matches($@"inet6 {Regex.Escape(prefix)}[0-9a-f:]+/64 scope global", addresses);
                return;
            }
            await Task.Delay(200);
        }
        Assert.Fail(lab.Failure($"no SLAAC address in {prefix}:/64 or no default route via {serverLinkLocal} within {Deadline.TotalSeconds} s\naddresses:\n{addresses}\nroutes:\n{routes}"));
    }

    /// <summary>rdisc6: one Router Solicitation, the first RA printed field by field. Sent once nbc0 has no tentative
    /// address left: while its link-local address is in duplicate address detection, sending fails with "Cannot assign
    /// requested address" (seen in a whole-suite run).</summary>
    private static async Task<string> SolicitAsync(DhcpLab lab)
    {
        var until = DateTime.UtcNow + Deadline;
        while (lab.Client.Exec("ip", "-6", "addr", "show", "dev", "nbc0", "tentative").Contains("inet6", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < until, lab.Failure($"nbc0 still has a tentative address after {Deadline.TotalSeconds} s"));
            await Task.Delay(100);
        }
        var (code, output) = DhcpLab.RunClient(lab.Client, TimeSpan.FromSeconds(10), "rdisc6", "-1", "-r", "3", "-w", "2000", "nbc0");
        Assert.True(code == 0, lab.Failure("rdisc6 got no router advertisement:\n" + output));
        return output;
    }
}
