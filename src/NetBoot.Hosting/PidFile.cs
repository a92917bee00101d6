using System.Globalization;

namespace NetBoot.Hosting;

/// <summary><c>pid-file</c>: the process id and a newline, written once the sockets are bound and before the switch to
/// <c>user=</c> (dnsmasq writes it as root too, so it may live in <c>/run</c>), removed at a clean exit.</summary>
public static class PidFile
{
    /// <summary>Writes the file, replacing any left by an earlier run; throws IOException or UnauthorizedAccessException
    /// when it cannot (start-up then fails, as dnsmasq's does).</summary>
    public static void Write(string path, int processId)
    {
        // Written beside and renamed over: a reader (systemd's PIDFile=) never sees a half-written number.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, processId.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Removes the file if it still holds <paramref name="processId"/> (another instance may have replaced it);
    /// the reason when it cannot be removed (after the switch to <c>user=</c> its folder may not be writable).</summary>
    public static string? Remove(string path, int processId)
    {
        try
        {
            if (File.Exists(path) && File.ReadAllText(path).Trim() == processId.ToString(CultureInfo.InvariantCulture))
            {
                File.Delete(path);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
