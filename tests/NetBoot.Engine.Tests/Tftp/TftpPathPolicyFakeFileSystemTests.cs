using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;

namespace NetBoot.Engine.Tests.Tftp;

public class TftpPathPolicyFakeFileSystemTests
{
    /// <summary>Every path is a regular file at itself, and every question is recorded.</summary>
    private sealed class RecordingFileSystem : ITftpFileSystem
    {
        public List<string> Questions { get; } = [];

        public string? ResolveRealPath(string path)
        {
            Questions.Add(path);
            return path;
        }

        public TftpFileKind GetKind(string realPath) => TftpFileKind.RegularFile;

        public bool IsReadable(string realPath) => true;
    }

    [Theory]
    [InlineData("../../etc/shadow")]
    [InlineData("a\0b")]
    [InlineData("a\u001bb")]
    [InlineData("")]
    public void Lexically_refused_names_never_reach_the_file_system(string name)
    {
        var fileSystem = new RecordingFileSystem();
        var result = new TftpPathPolicy(new TftpConfig { Root = "/srv/tftp" }, fileSystem).Resolve(name);
        Assert.False(result.IsAllowed);
        Assert.Empty(fileSystem.Questions);
    }

    [Fact]
    public void Accepted_name_is_checked_through_the_injected_file_system()
    {
        var fileSystem = new RecordingFileSystem();
        var result = new TftpPathPolicy(new TftpConfig { Root = "/srv/tftp/" }, fileSystem).Resolve("\\EFI\\boot\\bootx64.efi");
        Assert.Equal("/srv/tftp/EFI/boot/bootx64.efi", result.FullPath);
        Assert.Contains("/srv/tftp/EFI/boot/bootx64.efi", fileSystem.Questions);
    }
}
