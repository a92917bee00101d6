using System.Collections.Immutable;
using System.Runtime.InteropServices;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

/// <summary>A real TFTP root in a temporary directory, with hostile neighbours, for the engine's path policy over
/// <see cref="PhysicalTftpFileSystem"/>:
/// <code>
/// base/root/pxelinux.0, sub/file, Upper.EFI, 192.0.2.5/pxelinux.0, 01-02-03-04-05-06/pxelinux.0
/// base/root/inner -> pxelinux.0        base/root/escape -> /etc        base/root/passwd -> /etc/passwd
/// base/root/null -> /dev/null           base/root/fifo (FIFO)           base/root/dangling -> missing
/// base/root/loop1 -> loop2 -> loop1     base/root/outside -> ../secret   base/root/unreadable (mode 000)
/// base/secret (outside the root)        base/link-to-root -> root        base/eth1root/only-eth1
/// </code></summary>
public sealed class TftpRootFixture : IDisposable
{
    public TftpRootFixture()
    {
        Base = Path.Combine(Path.GetTempPath(), "netboot-tftp-" + Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Base, "root");
        Directory.CreateDirectory(Path.Combine(Root, "sub"));
        Directory.CreateDirectory(Path.Combine(Root, "192.0.2.5"));
        Directory.CreateDirectory(Path.Combine(Root, "01-02-03-04-05-06"));
        Directory.CreateDirectory(Path.Combine(Base, "eth1root"));
        File.WriteAllText(Path.Combine(Root, "pxelinux.0"), "pxe");
        File.WriteAllText(Path.Combine(Root, "sub", "file"), "sub");
        File.WriteAllText(Path.Combine(Root, "Upper.EFI"), "upper");
        File.WriteAllText(Path.Combine(Root, "192.0.2.5", "pxelinux.0"), "by ip");
        File.WriteAllText(Path.Combine(Root, "01-02-03-04-05-06", "pxelinux.0"), "by mac");
        File.WriteAllText(Path.Combine(Base, "secret"), "secret");
        File.WriteAllText(Path.Combine(Base, "eth1root", "only-eth1"), "eth1");
        File.CreateSymbolicLink(Path.Combine(Root, "inner"), "pxelinux.0");
        File.CreateSymbolicLink(Path.Combine(Root, "escape"), "/etc");
        File.CreateSymbolicLink(Path.Combine(Root, "passwd"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(Root, "null"), "/dev/null");
        File.CreateSymbolicLink(Path.Combine(Root, "dangling"), "missing");
        File.CreateSymbolicLink(Path.Combine(Root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(Root, "loop2"), "loop1");
        File.CreateSymbolicLink(Path.Combine(Root, "outside"), "../secret");
        Directory.CreateSymbolicLink(Path.Combine(Base, "link-to-root"), "root");
        var unreadable = Path.Combine(Root, "unreadable");
        File.WriteAllText(unreadable, "x");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the TFTP root fixture needs POSIX files");
        }
        File.SetUnixFileMode(unreadable, UnixFileMode.None);
        if (mkfifo(Path.Combine(Root, "fifo"), 0b110_100_100) != 0)
        {
            throw new InvalidOperationException("mkfifo failed: " + Marshal.GetLastPInvokeError());
        }
    }

    public string Base { get; }

    public string Root { get; }

    public void Dispose() => Directory.Delete(Base, recursive: true);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}

public class TftpPathPolicyTests(TftpRootFixture fixture) : IClassFixture<TftpRootFixture>
{
    private TftpConfig Config => new() { IsEnabled = true, Root = fixture.Root };

    private TftpPathResult Resolve(string name, TftpConfig? config = null, string? interfaceName = null, TftpClientIdentity? client = null) =>
        new TftpPathPolicy(config ?? Config, PhysicalTftpFileSystem.Instance).Resolve(name, interfaceName, client);

    public static TheoryData<string, TftpPathRefusal> HostileNames() => new()
    {
        // Parent segments, in every spelling that reaches the file system (dnsmasq: "/../" → error 2).
        { "../etc/passwd", TftpPathRefusal.ParentSegment },
        { "/../etc/passwd", TftpPathRefusal.ParentSegment },
        { "..\\etc\\passwd", TftpPathRefusal.ParentSegment },
        { "\\..\\..\\etc\\passwd", TftpPathRefusal.ParentSegment },
        { "sub/../../secret", TftpPathRefusal.ParentSegment },
        { "sub\\..\\..\\secret", TftpPathRefusal.ParentSegment },
        { "sub/../pxelinux.0", TftpPathRefusal.ParentSegment },
        { "..", TftpPathRefusal.ParentSegment },
        { "/..", TftpPathRefusal.ParentSegment },
        { "sub/..", TftpPathRefusal.ParentSegment },
        { "./../secret", TftpPathRefusal.ParentSegment },
        { "sub//..//..//secret", TftpPathRefusal.ParentSegment },
        // Forbidden characters.
        { "pxelinux.0\0../../etc/passwd", TftpPathRefusal.NulCharacter },
        { "\0", TftpPathRefusal.NulCharacter },
        { "pxelinux.0\n", TftpPathRefusal.ControlCharacter },
        { "file\rname", TftpPathRefusal.ControlCharacter },
        { "\u001b[31mred", TftpPathRefusal.ControlCharacter },
        { "tab\there", TftpPathRefusal.ControlCharacter },
        { "del\u007f", TftpPathRefusal.ControlCharacter },
        { "c1\u0085control", TftpPathRefusal.ControlCharacter },
        // Empty names.
        { "", TftpPathRefusal.EmptyName },
        { "/", TftpPathRefusal.EmptyName },
        { ".", TftpPathRefusal.EmptyName },
        { "./\\//", TftpPathRefusal.EmptyName },
        // Absolute names outside the root are taken under the root, where they do not exist.
        { "/etc/passwd", TftpPathRefusal.NotFound },
        { "//etc/passwd", TftpPathRefusal.NotFound },
        { "\\etc\\passwd", TftpPathRefusal.NotFound },
        { "/dev/null", TftpPathRefusal.NotFound },
        // Percent-encoding is not decoded: these are literal (missing) filenames.
        { "%2e%2e/%2e%2e/etc/passwd", TftpPathRefusal.NotFound },
        { "%2e%2e%2fsecret", TftpPathRefusal.NotFound },
        { "..%2f..%2fsecret", TftpPathRefusal.NotFound },
        { "%252e%252e/secret", TftpPathRefusal.NotFound },
        { "..%5c..%5csecret", TftpPathRefusal.NotFound },
        // Unicode look-alikes are not normalised: literal (missing) filenames.
        { "\uFF0E\uFF0E/secret", TftpPathRefusal.NotFound },
        { "\u2025/secret", TftpPathRefusal.NotFound },
        { "..\u2215secret", TftpPathRefusal.NotFound },
        { "..\uFF0Fsecret", TftpPathRefusal.NotFound },
        { "\u2024\u2024/secret", TftpPathRefusal.NotFound },
        { "...", TftpPathRefusal.NotFound },
        // Symlinks and special files.
        { "escape/passwd", TftpPathRefusal.SymlinkOutsideRoot },
        { "passwd", TftpPathRefusal.SymlinkOutsideRoot },
        { "outside", TftpPathRefusal.SymlinkOutsideRoot },
        { "null", TftpPathRefusal.SymlinkOutsideRoot },
        { "fifo", TftpPathRefusal.NotRegularFile },
        { "sub", TftpPathRefusal.NotRegularFile },
        { "sub/", TftpPathRefusal.NotRegularFile },
        { "pxelinux.0/", TftpPathRefusal.NotRegularFile },
        { "pxelinux.0\\", TftpPathRefusal.NotRegularFile },
        { "dangling", TftpPathRefusal.NotFound },
        { "loop1", TftpPathRefusal.NotFound },
        { "missing.efi", TftpPathRefusal.NotFound },
        { "pxelinux.0/x", TftpPathRefusal.NotFound },
        { "unreadable", TftpPathRefusal.NotReadable },
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Hostile_name_is_refused_for_its_reason_with_the_single_answer(string name, TftpPathRefusal expected)
    {
        var result = Resolve(name);
        Assert.False(result.IsAllowed);
        Assert.Null(result.FullPath);
        Assert.Equal(expected, result.Refusal);
        // Whatever the reason, the client hears ERROR 1 "File not found" (issue 14: no probing outside the root).
        Assert.Equal(TftpErrorCode.FileNotFound, result.ErrorCode);
        Assert.Equal("File not found", result.ErrorMessage);
        Assert.NotEmpty(result.Reason);
    }

    [Fact]
    public void Log_reason_names_where_a_refused_name_led()
    {
        Assert.Equal("outside the root: a symlink leads to /etc/passwd", Resolve("passwd").Reason);
        Assert.StartsWith("permission denied: " + Path.Combine(fixture.Root, "unreadable"), Resolve("unreadable").Reason, StringComparison.Ordinal);
        Assert.Equal("file not found", Resolve("missing.efi").Reason);
        Assert.Equal("'..' in the name", Resolve("../etc/passwd").Reason);
    }

    [Theory]
    [InlineData("pxelinux.0", "pxelinux.0")]
    [InlineData("/pxelinux.0", "pxelinux.0")]
    [InlineData("\\pxelinux.0", "pxelinux.0")]
    [InlineData("./pxelinux.0", "pxelinux.0")]
    [InlineData("sub/file", "sub/file")]
    [InlineData("sub\\file", "sub/file")]
    [InlineData("sub//file", "sub/file")]
    [InlineData("inner", "pxelinux.0")]
    public void Name_inside_the_root_resolves_to_its_real_path(string name, string relative)
    {
        var result = Resolve(name);
        Assert.True(result.IsAllowed, result.ToString());
        Assert.Equal(Path.Combine(fixture.Root, relative), result.FullPath);
    }

    [Fact]
    public void Absolute_name_that_begins_with_the_root_is_used_verbatim()
    {
        Assert.Equal(Path.Combine(fixture.Root, "sub", "file"), Resolve(fixture.Root + "/sub/file").FullPath);
        Assert.Equal(TftpPathRefusal.ParentSegment, Resolve(fixture.Root + "/../secret").Refusal);
        // A bare prefix is not the root: "<root>x/…" is taken under the root.
        Assert.Equal(TftpPathRefusal.NotFound, Resolve(fixture.Root + "x/pxelinux.0").Refusal);
    }

    [Fact]
    public void Root_given_through_a_symlink_still_serves_its_files()
    {
        var config = Config with { Root = Path.Combine(fixture.Base, "link-to-root") + "/" };
        Assert.Equal(Path.Combine(fixture.Root, "pxelinux.0"), Resolve("pxelinux.0", config).FullPath);
    }

    [Fact]
    public void Symlink_outside_the_root_is_followed_only_when_configured()
    {
        var config = Config with { FollowSymlinksOutsideRoot = true };
        Assert.Equal(Path.Combine(fixture.Base, "secret"), Resolve("outside", config).FullPath);
        // Even then a device is not a file to serve.
        Assert.Equal(TftpPathRefusal.NotRegularFile, Resolve("null", config).Refusal);
    }

    [Fact]
    public void Lower_case_option_folds_the_name()
    {
        Assert.Equal(TftpPathRefusal.NotFound, Resolve("UPPER.efi").Refusal);
        Assert.Equal(TftpPathRefusal.NotFound, Resolve("Upper.EFI", Config with { LowerCase = true }).Refusal);
        Assert.Equal(TftpPathRefusal.NotFound, Resolve("upper.efi").Refusal);
        File.WriteAllText(Path.Combine(fixture.Root, "lower.efi"), "l");
        Assert.True(Resolve("LOWER.EFI", Config with { LowerCase = true }).IsAllowed);
    }

    [Fact]
    public void Interface_root_overrides_the_global_root()
    {
        var config = Config with
        {
            InterfaceRoots = ImmutableDictionary<string, string>.Empty.Add("eth1", Path.Combine(fixture.Base, "eth1root")),
        };
        Assert.True(Resolve("only-eth1", config, "eth1").IsAllowed);
        Assert.Equal(TftpPathRefusal.NotFound, Resolve("only-eth1", config, "eth0").Refusal);
        Assert.True(Resolve("pxelinux.0", config, "eth0").IsAllowed);
        Assert.Equal(TftpPathRefusal.NotFound, Resolve("pxelinux.0", config, "eth1").Refusal);
    }

    [Fact]
    public void Unique_root_uses_the_client_directory_only_when_it_exists()
    {
        var byIp = Config with { UniqueRoot = TftpUniqueRoot.ByClientAddress };
        var known = new TftpClientIdentity(IPv4Address.Parse("192.0.2.5"));
        var unknown = new TftpClientIdentity(IPv4Address.Parse("192.0.2.6"));
        Assert.Equal(Path.Combine(fixture.Root, "192.0.2.5", "pxelinux.0"), Resolve("pxelinux.0", byIp, client: known).FullPath);
        Assert.Equal(Path.Combine(fixture.Root, "pxelinux.0"), Resolve("pxelinux.0", byIp, client: unknown).FullPath);

        var byMac = Config with { UniqueRoot = TftpUniqueRoot.ByHardwareAddress };
        var withMac = new TftpClientIdentity(IPv4Address.Parse("192.0.2.9"), HardwareAddress.Ethernet([1, 2, 3, 4, 5, 6]));
        Assert.Equal(Path.Combine(fixture.Root, "01-02-03-04-05-06", "pxelinux.0"), Resolve("pxelinux.0", byMac, client: withMac).FullPath);
    }

    [Fact]
    public void Without_a_root_names_resolve_from_slash_like_dnsmasq()
    {
        var config = new TftpConfig { IsEnabled = true };
        Assert.Equal(Path.Combine(fixture.Root, "pxelinux.0"), Resolve(fixture.Root + "/pxelinux.0", config).FullPath);
    }

    [Theory]
    [InlineData("/srv/tftp/", "/srv/tftp")]
    [InlineData("/srv//tftp/./", "/srv/tftp")]
    [InlineData("/srv/x/../tftp", "/srv/tftp")]
    [InlineData("tftp", "/tftp")]
    [InlineData("/", "/")]
    public void Configured_root_is_normalised(string configured, string expected) =>
        Assert.Equal(expected, new TftpPathPolicy(new TftpConfig { Root = configured }, PhysicalTftpFileSystem.Instance).GetRoot(null));

    [Fact]
    public void A_name_with_control_characters_gets_the_single_answer()
    {
        Assert.Equal("File not found", Resolve("a\nb").ErrorMessage);
    }
}

public class TftpRequestResponderTests(TftpRootFixture fixture) : IClassFixture<TftpRootFixture>
{
    private TftpPathPolicy Policy => new(new TftpConfig { IsEnabled = true, Root = fixture.Root }, PhysicalTftpFileSystem.Instance);

    [Fact]
    public void Write_request_is_refused_as_illegal_operation()
    {
        var decision = TftpRequestResponder.Decide(new TftpWriteRequest("pxelinux.0", "octet", []), Policy);
        Assert.False(decision.IsAccepted);
        Assert.Equal(TftpErrorCode.IllegalOperation, decision.ErrorCode);
    }

    [Theory]
    [InlineData("mail")]
    [InlineData("binary")]
    public void Unsupported_mode_is_refused(string mode)
    {
        var decision = TftpRequestResponder.Decide(new TftpReadRequest("pxelinux.0", mode, []), Policy);
        Assert.Equal(TftpErrorCode.IllegalOperation, decision.ErrorCode);
    }

    [Fact]
    public void Read_request_for_a_file_in_the_root_is_accepted()
    {
        var decision = TftpRequestResponder.Decide(new TftpReadRequest("pxelinux.0", "NetASCII", []), Policy);
        Assert.True(decision.IsAccepted);
        Assert.Equal(TftpTransferMode.Netascii, decision.Mode);
        Assert.Equal(Path.Combine(fixture.Root, "pxelinux.0"), decision.FullPath);
    }

    [Fact]
    public void Missing_file_is_refused_with_file_not_found()
    {
        var decision = TftpRequestResponder.Decide(new TftpReadRequest("nope", "octet", []), Policy);
        Assert.Equal(TftpErrorCode.FileNotFound, decision.ErrorCode);
        Assert.Equal("File not found", decision.ErrorMessage);
    }
}
