using System.Globalization;
using NetBoot.Hosting.Net;
using NetBoot.Testing;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Addresses;

/// <summary>The kernel's IPv6 neighbour table asked over rtnetlink, in a namespace of the test's own with two veth pairs
/// (nbn0↔nbn1, nbn2↔nbn3) and entries set by <c>ip neigh</c>. Root only; these run in the full suite (scripts/test),
/// not in <c>--unit</c>.</summary>
[Trait("Category", "Namespace")]
public sealed class NeighbourTableNamespaceTests : IDisposable
{
    private readonly NetworkNamespace _space = NetworkNamespace.Create("nbnei");

    public NeighbourTableNamespaceTests()
    {
        foreach (var (near, far) in new[] { ("nbn0", "nbn1"), ("nbn2", "nbn3") })
        {
            _space.Exec("ip", "link", "add", near, "type", "veth", "peer", "name", far);
            _space.Exec("ip", "link", "set", near, "up");
            _space.Exec("ip", "link", "set", far, "up");
        }
    }

    private int Index(string name) =>
        int.Parse(_space.Exec("cat", $"/sys/class/net/{name}/ifindex").Trim(), CultureInfo.InvariantCulture);

    private (bool Answered, string? Mac) Lookup(string address, int interfaceIndex) => _space.Run(() =>
    {
        var answered = NeighbourTable.TryLookup(IPv6Address.Parse(address), interfaceIndex, out var mac);
        return (answered, mac?.ToString());
    });

    [Fact]
    public void An_unknown_address_is_answered_with_no_entry()
    {
        Assert.Equal((true, null), Lookup("fd00:dead::1", 0));
    }

    /// <summary>The same link-local address is a neighbour on both links with different MACs: the interface index picks
    /// the entry (the single get); an unknown interface finds none. A NOARP entry names no MAC.</summary>
    [Fact]
    public void The_entry_of_the_arrival_interface_is_found_and_NOARP_is_skipped()
    {
        _space.Exec("ip", "neigh", "add", "fe80::5", "lladdr", "52:54:00:00:00:01", "dev", "nbn0", "nud", "permanent");
        _space.Exec("ip", "neigh", "add", "fe80::5", "lladdr", "52:54:00:00:00:03", "dev", "nbn2", "nud", "stale");
        _space.Exec("ip", "neigh", "add", "fd00:5::7", "lladdr", "52:54:00:00:00:07", "dev", "nbn0", "nud", "noarp");

        // Without the arrival interface (the dump): whichever of the two comes first.
        Assert.Contains(Lookup("fe80::5", 0), new (bool, string?)[] { (true, "52:54:00:00:00:01"), (true, "52:54:00:00:00:03") });
        Assert.Equal((true, "52:54:00:00:00:01"), Lookup("fe80::5", Index("nbn0")));
        Assert.Equal((true, "52:54:00:00:00:03"), Lookup("fe80::5", Index("nbn2")));
        Assert.Equal((true, null), Lookup("fe80::5", Index("nbn1")));
        Assert.Equal((true, null), Lookup("fd00:5::7", Index("nbn0")));
    }

    /// <summary>600 entries do not fit one datagram of the dump (some 80 bytes each): with no interface given, the dump
    /// of an absent address is read datagram by datagram to NLMSG_DONE; with the interface, the single get finds every
    /// entry. (A dump is not asserted to find each of 600: the kernel resumes it by position in a hash table that every
    /// namespace of the machine shares, so an entry can be passed over while other tests change theirs.)</summary>
    [Fact]
    public void An_absent_address_is_read_through_a_dump_of_several_datagrams_and_a_single_get_finds_every_entry()
    {
        var batch = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(batch, Enumerable.Range(1, 600).Select(i =>
                $"neigh add fd00:6::{i:x} lladdr 52:54:00:00:{i >> 8:x2}:{i & 0xff:x2} dev nbn0 nud permanent"));
            Shell.Run("ip", "-n", _space.Name, "-batch", batch);
        }
        finally
        {
            File.Delete(batch);
        }

        var index = Index("nbn0");
        var found = _space.Run(() => Enumerable.Range(1, 600).Select(i =>
            NeighbourTable.TryLookup(IPv6Address.Parse($"fd00:6::{i:x}"), index, out var mac) ? mac?.ToString() : "no answer").ToList());

        Assert.Equal(Enumerable.Range(1, 600).Select(i => $"52:54:00:00:{i >> 8:x2}:{i & 0xff:x2}"), found);
        Assert.Equal((true, null), Lookup("fd00:6::999", 0));
        Assert.Equal((true, null), Lookup("fd00:6::999", index));
    }

    public void Dispose() => _space.Dispose();
}
