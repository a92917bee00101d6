using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Tftp;

public class ArpTableTests
{
    private const string Table = """
        IP address       HW type     Flags       HW address            Mask     Device
        10.0.0.7         0x1         0x2         52:54:00:ab:cd:01     *        eth0
        10.0.0.8         0x1         0x0         00:00:00:00:00:00     *        eth0
        10.0.0.77        0x1         0x2         52:54:00:ab:cd:77     *        eth1

        """;

    [Fact]
    public void Complete_entry_gives_the_mac() =>
        Assert.Equal("52:54:00:ab:cd:01", ArpTable.Find(Table, IPv4Address.Parse("10.0.0.7"))?.ToString()?.ToLowerInvariant());

    [Theory]
    [InlineData("10.0.0.8")]   // incomplete (flags 0x0)
    [InlineData("10.0.0.9")]   // absent
    [InlineData("10.0.0.70")]  // a prefix of another address is not a match
    public void Missing_or_incomplete_entries_give_nothing(string address) =>
        Assert.Null(ArpTable.Find(Table, IPv4Address.Parse(address)));

    [Fact]
    public void Garbage_gives_nothing() =>
        Assert.Null(ArpTable.Find("nonsense\n1 2\n\0\0", IPv4Address.Parse("10.0.0.7")));
}
