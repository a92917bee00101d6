using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tests.Tftp;

/// <summary>tftp-secure, tftp-unique-root=ip|mac and tftp-root=DIR,IFACE through a fake file system.</summary>
public class TftpDirectivePolicyTests
{
    private sealed class FakeFileSystem(IEnumerable<string> files, IEnumerable<string> directories, IEnumerable<string>? notOwned = null) : ITftpFileSystem
    {
        private readonly HashSet<string> _files = [.. files];
        private readonly HashSet<string> _directories = [.. directories];
        private readonly HashSet<string> _notOwned = [.. notOwned ?? []];

        public string? ResolveRealPath(string path) => _files.Contains(path) || _directories.Contains(path) ? path : null;

        public TftpFileKind GetKind(string realPath) =>
            _files.Contains(realPath) ? TftpFileKind.RegularFile : _directories.Contains(realPath) ? TftpFileKind.Directory : TftpFileKind.Missing;

        public bool IsReadable(string realPath) => true;

        public bool IsOwnedByServerUser(string realPath) => !_notOwned.Contains(realPath);
    }

    private static readonly IPv4Address Client = IPv4Address.Parse("10.0.0.7");
    private static readonly HardwareAddress Mac = HardwareAddress.TryParse("52:54:00:AB:cd:01", out var mac) ? mac : throw new FormatException();

    [Fact]
    public void Tftp_secure_refuses_a_file_owned_by_another_user_with_the_single_answer()
    {
        var fs = new FakeFileSystem(["/srv/tftp/a", "/srv/tftp/b"], ["/srv/tftp"], notOwned: ["/srv/tftp/b"]);
        var policy = new TftpPathPolicy(new TftpConfig { Root = "/srv/tftp", IsSecure = true }, fs);
        Assert.True(policy.Resolve("a").IsAllowed);
        var refused = policy.Resolve("b");
        Assert.Equal(TftpPathRefusal.NotOwnedByServer, refused.Refusal);
        Assert.Equal(TftpErrorCode.FileNotFound, refused.ErrorCode);
        Assert.Equal("permission denied: /srv/tftp/b is not owned by the server's user (tftp-secure)", refused.Reason);
    }

    [Fact]
    public void Without_tftp_secure_ownership_is_not_asked()
    {
        var fs = new FakeFileSystem(["/srv/tftp/b"], ["/srv/tftp"], notOwned: ["/srv/tftp/b"]);
        Assert.True(new TftpPathPolicy(new TftpConfig { Root = "/srv/tftp" }, fs).Resolve("b").IsAllowed);
    }

    [Fact]
    public void Unique_root_by_ip_uses_the_client_directory_when_it_exists()
    {
        var fs = new FakeFileSystem(["/srv/tftp/10.0.0.7/pxelinux.0", "/srv/tftp/pxelinux.0"], ["/srv/tftp", "/srv/tftp/10.0.0.7"]);
        var policy = new TftpPathPolicy(new TftpConfig { Root = "/srv/tftp", UniqueRoot = TftpUniqueRoot.ByClientAddress }, fs);
        Assert.Equal("/srv/tftp/10.0.0.7/pxelinux.0", policy.Resolve("pxelinux.0", null, new TftpClientIdentity(Client)).FullPath);
        Assert.Equal("/srv/tftp/pxelinux.0", policy.Resolve("pxelinux.0", null, new TftpClientIdentity(IPv4Address.Parse("10.0.0.8"))).FullPath);
    }

    [Fact]
    public void Unique_root_by_mac_uses_lowercase_dashed_directory_and_falls_back_without_a_mac()
    {
        var fs = new FakeFileSystem(["/srv/tftp/52-54-00-ab-cd-01/boot", "/srv/tftp/boot"], ["/srv/tftp", "/srv/tftp/52-54-00-ab-cd-01"]);
        var policy = new TftpPathPolicy(new TftpConfig { Root = "/srv/tftp", UniqueRoot = TftpUniqueRoot.ByHardwareAddress }, fs);
        Assert.Equal("/srv/tftp/52-54-00-ab-cd-01/boot", policy.Resolve("boot", null, new TftpClientIdentity(Client, Mac)).FullPath);
        Assert.Equal("/srv/tftp/boot", policy.Resolve("boot", null, new TftpClientIdentity(Client)).FullPath);
    }

    [Fact]
    public void Interface_root_overrides_the_global_root()
    {
        var fs = new FakeFileSystem(["/srv/a/f", "/srv/b/f"], ["/srv/a", "/srv/b"]);
        var policy = new TftpPathPolicy(new TftpConfig { Root = "/srv/a", InterfaceRoots = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("eth1", "/srv/b") }, fs);
        Assert.Equal("/srv/a/f", policy.Resolve("f", "eth0").FullPath);
        Assert.Equal("/srv/b/f", policy.Resolve("f", "eth1").FullPath);
    }
}
