using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tests.Tftp;

/// <summary>Issue 14 item 7: "outside the root", "not found" and "not readable" (and every other refusal of a name)
/// put the same bytes on the wire, so a client cannot probe for files outside the root through a symlinked
/// directory; the reason kept for the log differs. A fake file system stands for cases a test running as root
/// cannot make real (a file root cannot read).</summary>
public class TftpSingleAnswerTests
{
    /// <summary>/srv/tftp/etc is a symlink to /etc (holding passwd); /srv/tftp/locked exists but cannot be read;
    /// /srv/tftp/theirs belongs to another user.</summary>
    private sealed class FakeFileSystem : ITftpFileSystem
    {
        private static readonly HashSet<string> s_files = ["/srv/tftp/boot.efi", "/srv/tftp/locked", "/srv/tftp/theirs", "/etc/passwd", "/etc/locked"];
        private static readonly HashSet<string> s_directories = ["/srv/tftp", "/etc", "/srv/tftp/sub"];

        public string? ResolveRealPath(string path)
        {
            var real = path.StartsWith("/srv/tftp/etc/", StringComparison.Ordinal) ? "/etc/" + path["/srv/tftp/etc/".Length..]
                : path == "/srv/tftp/etc" ? "/etc"
                : path;
            return s_files.Contains(real) || s_directories.Contains(real) ? real : null;
        }

        public TftpFileKind GetKind(string realPath) =>
            s_files.Contains(realPath) ? TftpFileKind.RegularFile : s_directories.Contains(realPath) ? TftpFileKind.Directory : TftpFileKind.Missing;

        public bool IsReadable(string realPath) => !realPath.EndsWith("/locked", StringComparison.Ordinal);

        public bool IsOwnedByServerUser(string realPath) => realPath != "/srv/tftp/theirs";
    }

    private static TftpRequestDecision Decide(string name, bool followSymlinks = false) =>
        TftpRequestResponder.Decide(new TftpReadRequest(name, "octet", []),
            new TftpPathPolicy(new TftpConfig { Root = "/srv/tftp", IsSecure = true, FollowSymlinksOutsideRoot = followSymlinks }, new FakeFileSystem()));

    private static byte[] Wire(TftpRequestDecision decision) =>
        TftpPacketEncoder.Encode(new TftpErrorPacket(decision.ErrorCode, decision.ErrorMessage));

    public static TheoryData<string, TftpPathRefusal, string> Refused => new()
    {
        { "etc/passwd", TftpPathRefusal.SymlinkOutsideRoot, "outside the root: a symlink leads to /etc/passwd" },
        { "etc/missing", TftpPathRefusal.NotFound, "file not found" },
        { "../etc/passwd", TftpPathRefusal.ParentSegment, "'..' in the name" },
        { "missing", TftpPathRefusal.NotFound, "file not found" },
        { "locked", TftpPathRefusal.NotReadable, "permission denied: /srv/tftp/locked is not readable by the server (as root: not world-readable)" },
        { "theirs", TftpPathRefusal.NotOwnedByServer, "permission denied: /srv/tftp/theirs is not owned by the server's user (tftp-secure)" },
        { "sub", TftpPathRefusal.NotRegularFile, "not a regular file: /srv/tftp/sub" },
        { "a\u001bb", TftpPathRefusal.ControlCharacter, "control character in the name" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Every_refusal_puts_error_1_file_not_found_on_the_wire_and_keeps_its_reason(string name, TftpPathRefusal refusal, string reason)
    {
        var decision = Decide(name);
        Assert.False(decision.IsAccepted);
        Assert.Equal(refusal, decision.Path!.Refusal);
        Assert.Equal(reason, decision.Path.Reason);
        // ERROR (5), code 1, "File not found", NUL.
        Assert.Equal([0, 5, 0, 1, .. "File not found"u8, 0], Wire(decision));
    }

    [Fact]
    public void Existing_and_missing_files_behind_a_symlink_out_of_the_root_are_indistinguishable()
    {
        Assert.Equal(Wire(Decide("etc/missing")), Wire(Decide("etc/passwd")));
        Assert.Equal(Wire(Decide("missing")), Wire(Decide("etc/passwd")));
    }

    [Fact]
    public void With_tftp_follow_symlinks_the_link_is_followed_and_only_the_missing_or_unreadable_file_is_refused()
    {
        Assert.True(Decide("etc/passwd", followSymlinks: true).IsAccepted);
        var missing = Decide("etc/missing", followSymlinks: true);
        var locked = Decide("etc/locked", followSymlinks: true);
        Assert.Equal(TftpPathRefusal.NotFound, missing.Path!.Refusal);
        Assert.Equal(TftpPathRefusal.NotReadable, locked.Path!.Refusal);
        Assert.Equal(Wire(missing), Wire(locked));
        Assert.Equal(Wire(Decide("missing")), Wire(locked));
    }
}
