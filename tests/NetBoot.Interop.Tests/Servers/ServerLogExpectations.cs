using System.Text.RegularExpressions;

namespace NetBoot.Interop.Tests.Servers;

/// <summary>
/// The log lines that prove what a server did, as regular expressions built from the client's MAC, its
/// address and file paths (escaped here). One instance per server implementation.
/// </summary>
public sealed record ServerLogExpectations(
    Func<string, Regex> MenuOffered,
    Func<string, string, string, Regex> BootServerAnswered,
    Func<string, string, Regex> FileSent,
    Regex AnyTftpActivity)
{
    /// <summary>dnsmasq 2.90 with <c>log-dhcp</c> and <c>--log-facility=-</c> (see spec/pxe-behaviour.md, "Logging").</summary>
    public static ServerLogExpectations Dnsmasq { get; } = new(
        // "3103691113 PXE(sv0) 52:54:00:4e:42:01 proxy": the proxy offer carrying the menu (option 43).
        MenuOffered: mac => new Regex($@"PXE\(\w+\) {Esc(mac)} proxy"),
        // "0 PXE(sv0) 10.77.0.115 52:54:00:4e:42:01 /ltsp/i386/pxelinux.0": the port 4011 boot-server ACK.
        BootServerAnswered: (ip, mac, file) => new Regex($@"PXE\(\w+\) {Esc(ip)} {Esc(mac)} {Esc(file)}"),
        // "sent /tmp/…/tftp/ltsp/i386/ldlinux.c32 to 10.77.0.115".
        FileSent: (path, ip) => new Regex($@"sent \S*/{Esc(path)} to {Esc(ip)}\b"),
        AnyTftpActivity: new Regex(@"dnsmasq-tftp\[\d+\]: (sent|file|failed|timeout|error)"));

    private static string Esc(string value) => Regex.Escape(value);
}
