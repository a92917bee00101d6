using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetBoot.Wire.Tftp;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Tftp;

/// <summary>Hostile read requests sent over the wire to netboot: each is answered by ERROR with the right code
/// (1 "File not found" for every refused name, whether missing, outside the root, unreadable or not a file, so that a
/// client cannot probe outside the root; 4 for writes and unknown modes) and never by DATA or OACK; malformed
/// requests get no answer at all. The engine tests hold the policy; this table proves the service applies it to real
/// datagrams.</summary>
[Trait("Category", "Interop")]
public sealed class TftpHostileNameTests(TftpLabFixture fixture, ITestOutputHelper output) : IClassFixture<TftpLabFixture>
{
    private const ushort NoReply = 0xFFFF;

    private TftpLab Lab => fixture.Lab;

    /// <summary>(label, filename bytes, mode, opcode, expected ERROR code or <see cref="NoReply"/>).</summary>
    private IEnumerable<(string Label, byte[] Name, string Mode, TftpOpcode Opcode, ushort Expected)> Cases()
    {
        const ushort NotFound = 1, Illegal = 4;
        (string, byte[], string, TftpOpcode, ushort) Read(string name, ushort expected) => (name, Encoding.UTF8.GetBytes(name), "octet", TftpOpcode.ReadRequest, expected);
        yield return Read("../etc/passwd", NotFound);
        yield return Read("../../../../../../etc/shadow", NotFound);
        yield return Read("/../etc/passwd", NotFound);
        yield return Read("dir/../../etc/passwd", NotFound);
        yield return Read("dir/./../../etc/passwd", NotFound);
        yield return Read("dir/../small.bin", NotFound);
        yield return Read("..\\..\\etc\\passwd", NotFound);
        yield return Read("dir\\..\\..\\etc\\passwd", NotFound);
        yield return Read("..", NotFound);
        yield return Read(Lab.Root + "/../etc/passwd", NotFound);
        yield return Read(Lab.Root + "/escape", NotFound);
        yield return Read("escape", NotFound);
        yield return Read("escape-dir/passwd", NotFound);
        yield return Read("escape-dir/../etc/passwd", NotFound);
        yield return Read("fifo", NotFound);
        yield return Read("null", NotFound);
        yield return Read("dir", NotFound);
        yield return Read("dir/", NotFound);
        yield return Read("small.bin/", NotFound);
        yield return Read("unreadable", NotFound);
        yield return Read(".", NotFound);
        yield return Read("/", NotFound);
        yield return Read("tab\tname", NotFound);
        yield return Read("escape\u001b[31mred", NotFound);
        yield return Read("line\nbreak", NotFound);
        yield return Read("del\u007fname", NotFound);
        yield return Read("/etc/passwd", NotFound);
        yield return Read("//etc//passwd", NotFound);
        yield return Read("%2e%2e/etc/passwd", NotFound);
        yield return Read("%2e%2e%2f%2e%2e%2fetc%2fpasswd", NotFound);
        yield return Read("..%2fetc%2fpasswd", NotFound);
        yield return Read("\uff0e\uff0e/etc/passwd", NotFound);
        yield return Read("\u2025/etc/passwd", NotFound);
        yield return Read("..\u2215etc\u2215passwd", NotFound);
        yield return Read("...", NotFound);
        yield return Read("C:\\Windows\\win.ini", NotFound);
        yield return Read("\\\\server\\share\\passwd", NotFound);
        yield return Read("dangling", NotFound);
        yield return Read("missing.bin", NotFound);
        yield return ("write request", Encoding.UTF8.GetBytes("upload.bin"), "octet", TftpOpcode.WriteRequest, Illegal);
        yield return ("mode mail", Encoding.UTF8.GetBytes("small.bin"), "mail", TftpOpcode.ReadRequest, Illegal);
        yield return ("NUL inside the name", Encoding.UTF8.GetBytes("small.bin\0../../etc/passwd"), "octet", TftpOpcode.ReadRequest, NoReply);
        yield return ("invalid UTF-8", [0x2e, 0x2e, 0xc0, 0xaf, 0x65, 0x74, 0x63], "octet", TftpOpcode.ReadRequest, NoReply);
    }

    [Fact]
    public void Every_hostile_name_is_refused_with_the_right_code_and_no_data()
    {
        var cases = Cases().ToList();
        Assert.True(cases.Count >= 30);
        var failures = Lab.Client.Run(() =>
        {
            var wrong = new List<string>();
            foreach (var (label, name, mode, opcode, expected) in cases)
            {
                var (reply, detail) = Ask(name, mode, opcode, expected == NoReply ? 1500 : 5000);
                output.WriteLine($"{Printable(label),-45} → {detail}");
                if (reply != expected || (expected == 1 && detail != "ERROR 1 \"File not found\""))
                {
                    wrong.Add($"{Printable(label)}: expected {(expected == NoReply ? "no reply" : $"ERROR {expected}")}, got {detail}");
                }
            }
            return wrong;
        });
        Assert.True(failures.Count == 0, string.Join('\n', failures) + "\n" + Lab.ServerProcess!.Log.Tail());
    }

    /// <summary>Sends one request from a fresh port; the first reply must be ERROR (its code is returned).</summary>
    private static (ushort Code, string Detail) Ask(byte[] name, string mode, TftpOpcode opcode, int timeoutMilliseconds)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(TftpLab.ClientAddress), 0));
        socket.ReceiveTimeout = timeoutMilliseconds;
        var request = new byte[2 + name.Length + 1 + mode.Length + 1];
        BinaryPrimitives.WriteUInt16BigEndian(request, (ushort)opcode);
        name.CopyTo(request, 2);
        Encoding.ASCII.GetBytes(mode).CopyTo(request, 2 + name.Length + 1);
        socket.SendTo(request, new IPEndPoint(IPAddress.Parse(TftpLab.ServerAddress), 69));
        var buffer = new byte[2048];
        try
        {
            var length = socket.Receive(buffer);
            if (!TftpPacketDecoder.TryDecode(buffer.AsSpan(0, length), out var packet, out var error))
            {
                return ((ushort)0xFFFE, $"undecodable reply ({error})");
            }
            return packet is TftpErrorPacket e ? ((ushort)e.Code, $"ERROR {(int)e.Code} \"{e.Message}\"") : ((ushort)0xFFFD, $"{packet.Opcode} sent!");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return (NoReply, "no reply");
        }
    }

    private static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
}
