namespace NetBoot.Hosting.Tests.Logging;

/// <summary><c>pid-file</c>: the id and a newline; removed at exit only while it still names this process.</summary>
public sealed class PidFileTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("netboot-pid-");

    private string PathOf => Path.Combine(_folder.FullName, "netboot.pid");

    [Fact]
    public void Written_as_the_id_and_a_newline_replacing_a_stale_file()
    {
        File.WriteAllText(PathOf, "99999\n");

        PidFile.Write(PathOf, 1234);

        Assert.Equal("1234\n", File.ReadAllText(PathOf));
        Assert.Single(_folder.GetFiles());
    }

    [Fact]
    public void Removed_at_exit_when_it_names_this_process()
    {
        PidFile.Write(PathOf, 1234);

        Assert.Null(PidFile.Remove(PathOf, 1234));

        Assert.False(File.Exists(PathOf));
    }

    [Fact]
    public void Left_alone_when_another_instance_has_replaced_it()
    {
        PidFile.Write(PathOf, 5678);

        Assert.Null(PidFile.Remove(PathOf, 1234));

        Assert.Equal("5678\n", File.ReadAllText(PathOf));
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
