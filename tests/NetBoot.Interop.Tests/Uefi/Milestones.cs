using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Uefi;

/// <summary>A firmware boot's milestones: wait for a line in a console or server log (failing early if a lab process
/// died) and print the milestone with the test's output, so a slow boot shows how far it got.</summary>
internal static class Milestones
{
    public static async Task<Match> WaitAsync(ITestOutputHelper output, NamespaceLab lab, LogFile log, Regex pattern, TimeSpan timeout, string milestone)
    {
        var match = await log.WaitForAsync(pattern, timeout, 0, lab.EnsureAllRunning);
        output.WriteLine($"         {milestone}");
        return match;
    }

    public static Regex Literal(string text) => new(Regex.Escape(text));
}
