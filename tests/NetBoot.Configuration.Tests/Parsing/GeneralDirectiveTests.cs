using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Tests.Parsing;

public class GeneralDirectiveTests
{
    [Fact]
    public void Tftp_directives()
    {
        var tftp = ConfigAssert.Valid("""
            enable-tftp=br0,eth1
            tftp-root=/srv/tftp
            tftp-root=/srv/tftp-eth1,eth1
            tftp-unique-root=mac
            tftp-secure
            tftp-no-fail
            tftp-max=20
            tftp-port-range=6100,6000
            tftp-single-port
            tftp-lowercase
            tftp-no-blocksize
            tftp-mtu=1400
            quiet-tftp
            """).Tftp;
        Assert.True(tftp.IsEnabled);
        Assert.Equal(["br0", "eth1"], tftp.Interfaces.ToArray());
        Assert.Equal("/srv/tftp", tftp.Root);
        Assert.Equal("/srv/tftp-eth1", tftp.InterfaceRoots["eth1"]);
        Assert.Equal(TftpUniqueRoot.ByHardwareAddress, tftp.UniqueRoot);
        Assert.True(tftp.IsSecure && tftp.NoFail && tftp.SinglePort && tftp.LowerCase && tftp.NoBlockSize && tftp.Quiet);
        Assert.Equal(20, tftp.MaxTransfers);
        Assert.Equal((6000, 6100), tftp.PortRange);
        Assert.Equal(1400, tftp.Mtu);
    }

    [Fact]
    public void Unique_root_defaults_to_ip() =>
        Assert.Equal(TftpUniqueRoot.ByClientAddress, ConfigAssert.Valid("tftp-unique-root").Tftp.UniqueRoot);

    [Fact]
    public void Enable_tftp_without_root_is_refused_with_a_hint()
    {
        var error = ConfigAssert.Error("log-dhcp\nenable-tftp", "enable-tftp needs tftp-root: NetBoot does not serve from / as dnsmasq does", 2);
        Assert.Contains("tftp-root=", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_interface_root_satisfies_enable_tftp() =>
        Assert.True(ConfigAssert.Valid("enable-tftp\ntftp-root=/srv/a,eth0").Tftp.IsEnabled);

    [Fact]
    public void Root_without_enable_tftp_leaves_tftp_off()
    {
        var tftp = ConfigAssert.Valid("tftp-root=/var/lib/tftpboot").Tftp;
        Assert.False(tftp.IsEnabled);
        Assert.Equal("/var/lib/tftpboot", tftp.Root);
    }

    [Theory]
    [InlineData("tftp-port-range=6000", "bad port range")]
    [InlineData("tftp-max=many", "bad tftp-max")]
    [InlineData("tftp-unique-root=name", "bad tftp-unique-root")]
    [InlineData("dhcp-lease-max=-1", "bad dhcp-lease-max")]
    [InlineData("listen-address=10.0.0", "bad IP address")]
    [InlineData("dhcp-alternate-port=1067,x", "invalid port number")]
    [InlineData("log-facility=nowhere", "bad log facility")]
    public void Bad_values(string line, string message) => ConfigAssert.Error(line, message);

    [Fact]
    public void Interfaces_and_binding()
    {
        var interfaces = ConfigAssert.Valid("interface=br0\nno-dhcp-interface=eth0\nlisten-address=192.0.2.1,::1\nbind-dynamic").Interfaces;
        Assert.Equal(["br0"], interfaces.Include.ToArray());
        Assert.Equal(["eth0"], interfaces.NoDhcp.ToArray());
        Assert.Equal([IPv4Address.Parse("192.0.2.1")], interfaces.ListenAddresses.ToArray());
        Assert.True(interfaces.BindDynamic);
        Assert.True(interfaces.BindInterfaces);
    }

    [Fact]
    public void Flags_and_values()
    {
        var config = ConfigAssert.Valid("""
            log-dhcp
            log-queries
            log-facility=/var/log/dnsmasq.log
            dhcp-no-override
            dhcp-authoritative
            dhcp-lease-max=150
            dhcp-leasefile=/var/lib/misc/netboot.leases
            dhcp-script=/usr/local/bin/hook
            dhcp-sequential-ip
            no-ping
            user=nobody
            group=nogroup
            pid-file=/run/netboot.pid
            """);
        Assert.True(config.LogDhcp && config.LogQueries && config.NoOverride && config.Authoritative && config.SequentialIp && config.NoPing);
        Assert.Equal("/var/log/dnsmasq.log", config.LogFacility);
        Assert.Equal(150, config.LeaseMax);
        Assert.Equal("/var/lib/misc/netboot.leases", config.LeaseFile);
        Assert.Equal("/usr/local/bin/hook", config.DhcpScript);
        Assert.Equal("nobody", config.User);
        Assert.Equal("nogroup", config.Group);
        Assert.Equal("/run/netboot.pid", config.PidFile);
    }

    [Theory]
    [InlineData("log-facility=LOCAL0", "LOCAL0")]
    [InlineData("log-facility=-", "-")]
    [InlineData("log-facility=/var/log/netboot.log", "/var/log/netboot.log")]
    public void Log_facility_is_a_facility_or_a_file(string line, string expected) =>
        Assert.Equal(expected, ConfigAssert.Valid(line).LogFacility);

    [Fact]
    public void User_without_a_value_leaves_the_user_unchanged() => Assert.Null(ConfigAssert.Valid("user").User);

    [Theory]
    [InlineData("dhcp-alternate-port", 1067, 1068)]
    [InlineData("dhcp-alternate-port=2067", 2067, 2068)]
    [InlineData("dhcp-alternate-port=2067,3068", 2067, 3068)]
    public void Alternate_ports(string line, int server, int client)
    {
        var config = ConfigAssert.Valid(line);
        Assert.Equal(server, config.DhcpServerPort);
        Assert.Equal(client, config.DhcpClientPort);
    }
}
