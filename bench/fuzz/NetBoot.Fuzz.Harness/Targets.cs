using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;
using NetBoot.Wire.Rendering;
using NetBoot.Wire.Tftp;

namespace NetBoot.Fuzz.Harness;

/// <summary>A broken invariant: the fuzzer sees it as a crash, like any other exception a decoder lets out.</summary>
public sealed class InvariantException(string message) : Exception(message);

/// <summary>The fuzz targets, one per parser that takes outside input. Each runs the parser on the bytes AFL hands
/// it, then checks what is cheap to check; any exception (a decoder throwing, or <see cref="InvariantException"/>)
/// is a finding. Decoders must return a reason, never throw (DESIGN rule 1).</summary>
public static class Targets
{
    public static readonly ImmutableArray<string> Names = ["dhcp", "pxe43", "tftp", "tftp-path", "config", "capture"];

    public static Action<ReadOnlySpan<byte>> Get(string name) => name switch
    {
        "dhcp" => Dhcp,
        "pxe43" => PxeOption43,
        "tftp" => Tftp,
        "tftp-path" => input => TftpPathSandbox.Instance.Check(input),
        "config" => Config,
        "capture" => Capture,
        _ => throw new ArgumentException($"unknown target '{name}'; targets: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>DHCP message decode (overload, RFC 3396 concatenation), re-encode, decode again: the message must come
    /// back equal. Then the log-dhcp renderer, which reads every option value, and a re-encode into a 576-byte reply
    /// with overload allowed, which must still decode.</summary>
    public static void Dhcp(ReadOnlySpan<byte> input)
    {
        if (!DhcpMessageDecoder.TryDecode(input, out var message, out var error))
        {
            Require(error != DhcpDecodeError.None, "decode failed without a reason");
            return;
        }
        var encoded = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(MaximumLength: 65_000), out var dropped);
        Require(dropped.Count == 0, $"re-encode dropped options {string.Join(',', dropped)} with room to spare");
        Require(DhcpMessageDecoder.TryDecode(encoded, out var again, out var againError), $"re-encoded message does not decode: {againError}");
        Require(again.Equals(WithNamesAsEncoded(message)), "decode -> encode -> decode changed the message");
        var twice = DhcpMessageEncoder.Encode(again, new DhcpEncodeOptions(MaximumLength: 65_000));
        Require(twice.AsSpan().SequenceEqual(encoded), "encoding is not stable across a round trip");

        _ = DhcpMessageRenderer.Render(message, isPxe: true);
        _ = DhcpMessageRenderer.Summary(message);

        var small = new byte[1500];
        var length = DhcpMessageEncoder.Encode(message, small, new DhcpEncodeOptions(576, AllowOverload: true), out _);
        Require(length is >= DhcpMessage.MinimumLength and <= 576, $"576-byte reply encoded to {length} bytes");
        Require(DhcpMessageDecoder.TryDecode(small.AsSpan(0, length), out _, out var smallError), $"overloaded 576-byte encoding does not decode: {smallError}");
    }

    /// <summary>The encoder keeps the last byte of <c>sname</c>/<c>file</c> NUL (dnsmasq parity), so a client's unterminated
    /// 64/128-byte name (decoded in full, for the log) comes back cut to 63/127 characters: the only change a round trip
    /// may make. (The first dhcp fuzz run found exactly this; see testdata/fuzz/dhcp.)</summary>
    public static DhcpMessage WithNamesAsEncoded(DhcpMessage message) => message with
    {
        ServerName = message.ServerName.Length > 63 ? message.ServerName[..63] : message.ServerName,
        BootFileName = message.BootFileName.Length > 127 ? message.BootFileName[..127] : message.BootFileName,
    };

    /// <summary>PXE option 43 (the vendor-encapsulated sub-options): decode, read every structured sub-option, render
    /// it for the log; what decodes must encode back to the same sub-options.</summary>
    public static void PxeOption43(ReadOnlySpan<byte> input)
    {
        var writer = new RenderWriter();
        PxeVendorOptionRenderer.Render(writer, "vendor-encap", input);
        if (!PxeVendorOptions.TryDecode(input, out var subOptions, out var error))
        {
            Require(error != PxeDecodeError.None, "decode failed without a reason");
            return;
        }
        _ = PxeVendorOptions.TryGetBootItem(subOptions, out _);
        foreach (var sub in subOptions)
        {
            _ = PxeVendorOptions.TryReadBootMenu(sub.Data.AsSpan(), out _);
            _ = PxeVendorOptions.TryReadBootServers(sub.Data.AsSpan(), out _);
            _ = PxeVendorOptions.TryReadMenuPrompt(sub.Data.AsSpan(), out _);
            _ = PxeVendorOptionRenderer.PromptText(sub.Data.AsSpan());
        }
        var encoded = PxeVendorOptions.Encode(subOptions);
        Require(PxeVendorOptions.TryDecode(encoded.AsSpan(), out var again, out var againError), $"re-encoded option 43 does not decode: {againError}");
        Require(again.Length == subOptions.Length, $"re-encode changed the sub-option count {subOptions.Length} -> {again.Length}");
        for (var i = 0; i < again.Length; i++)
        {
            Require(again[i].Code == subOptions[i].Code && again[i].Data.AsSpan().SequenceEqual(subOptions[i].Data.AsSpan()),
                $"re-encode changed sub-option {i}");
        }
    }

    /// <summary>TFTP packet decode, the log renderer, re-encode and decode (same opcode and fields); for a read request
    /// also option negotiation (blksize, tsize, timeout, windowsize) and the accept/refuse decision with the path
    /// policy over a sandbox tree.</summary>
    public static void Tftp(ReadOnlySpan<byte> input)
    {
        _ = TftpPacketRenderer.TryRender(input, 512, out _, out _);
        _ = TftpPacketDecoder.TryReadAck(input, out _);
        _ = TftpPacketDecoder.TryReadData(input, out _, out _);
        if (!TftpPacketDecoder.TryDecode(input, out var packet, out var error))
        {
            Require(error != TftpDecodeError.None, "decode failed without a reason");
            return;
        }
        _ = TftpPacketRenderer.Render(packet, 1468);
        var encoded = TftpPacketEncoder.Encode(packet);
        Require(TftpPacketDecoder.TryDecode(encoded, out var again, out var againError), $"re-encoded {packet.Opcode} does not decode: {againError}");
        Require(again.Opcode == packet.Opcode, $"re-encode changed the opcode {packet.Opcode} -> {again.Opcode}");
        Require(again.Equals(packet), $"decode -> encode -> decode changed the {packet.Opcode} packet");
        if (packet is TftpRequestPacket request)
        {
            var options = TftpNegotiation.Negotiate(request.Options.AsSpan(), request.TransferMode, 123_456, TftpPathSandbox.Instance.Config, 1500);
            Require(options.BlockSize is >= TftpNegotiation.MinimumBlockSize and <= TftpNegotiation.MaximumBlockSize, $"negotiated blksize {options.BlockSize}");
            Require(options.WindowSize >= 1 && options.WindowSize <= TftpPathSandbox.Instance.Config.MaxWindowSize, $"negotiated windowsize {options.WindowSize}");
            var decision = TftpRequestResponder.Decide(request, TftpPathSandbox.Instance.Policy, "eth0");
            Require(!decision.IsAccepted || request is TftpReadRequest, "a write request was accepted");
            if (decision.IsAccepted)
            {
                TftpPathSandbox.Instance.RequireInside(decision.FullPath);
            }
        }
    }

    /// <summary>The dnsmasq configuration reader on one file's text: a configuration, or errors located inside the
    /// text, never an exception. Texts that name <c>conf-file</c>/<c>conf-dir</c> are skipped: those read the real file
    /// system (a fuzzer finding /dev/zero would only show that an administrator can misconfigure).</summary>
    public static void Config(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (text.Contains("conf-file", StringComparison.OrdinalIgnoreCase) || text.Contains("conf-dir", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var result = DnsmasqConfigReader.Parse(text, "fuzz.conf");
        var lineCount = text.Split('\n').Length;
        Require(result.IsValid || !result.Errors.IsEmpty, "invalid configuration without an error");
        foreach (var diagnostic in result.Errors)
        {
            Require(diagnostic.Message.Length > 0, "an error without a message");
            Require(diagnostic.Source.Line >= 1 && diagnostic.Source.Line <= lineCount,
                $"error '{diagnostic.Message}' at line {diagnostic.Source.Line} of a {lineCount}-line text");
            _ = diagnostic.ToString();
        }
    }

    /// <summary>The pcap/pcapng reader behind <c>netboot decode</c> (captures come from the network and from users'
    /// bug reports): open, walk every frame, extract UDP, render the whole capture as <c>netboot decode</c> does.</summary>
    public static void Capture(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        var rendering = CaptureRenderer.Render(bytes, "fuzz.pcap");
        Require(rendering.Text.Length > 0, "empty rendering");
        if (NetBoot.Wire.Capture.CaptureFile.TryOpen(bytes, out var file, out _))
        {
            foreach (var frame in file.Frames)
            {
                if (NetBoot.Wire.Capture.UdpDatagramExtractor.TryExtractPartial(frame, out var datagram, out _))
                {
                    Require(datagram.Payload.Length <= frame.Data.Length, "UDP payload longer than its frame");
                }
            }
        }
    }

    internal static void Require([System.Diagnostics.CodeAnalysis.DoesNotReturnIf(false)] bool condition, string what)
    {
        if (!condition)
        {
            throw new InvariantException(what);
        }
    }
}

/// <summary>A real TFTP root under /tmp, made once per process: files, a subdirectory, a per-client directory, a
/// symlink that stays inside and one that leads outside, a sibling directory whose name extends the root's, and a
/// secret file next to the root. The path policy must never hand out anything but a regular file inside the root.</summary>
public sealed class TftpPathSandbox
{
    private static readonly Lazy<TftpPathSandbox> Lazy = new(() => new TftpPathSandbox());
    private readonly string _realRoot;
    private readonly TftpPathPolicy[] _variants;

    public static TftpPathSandbox Instance => Lazy.Value;

    public TftpConfig Config { get; }
    public TftpPathPolicy Policy => _variants[0];

    private TftpPathSandbox()
    {
        // run.sh names a folder it removes afterwards (AFL kills its targets, so no exit handler would run).
        var parent = Environment.GetEnvironmentVariable("NETBOOT_FUZZ_SANDBOX");
        var top = parent is { Length: > 0 }
            ? Directory.CreateDirectory(Path.Combine(parent, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName
            : Directory.CreateTempSubdirectory("netboot-fuzz-").FullName;
        if (parent is not { Length: > 0 })
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(top);
        }
        TryDelete(Path.Combine(top, "root"));
        TryDelete(Path.Combine(top, "rootx"));
        var root = Path.Combine(top, "root");
        Directory.CreateDirectory(Path.Combine(root, "ltsp", "i386"));
        Directory.CreateDirectory(Path.Combine(root, "192.168.1.57"));
        Directory.CreateDirectory(Path.Combine(root, "52-54-00-12-34-56"));
        Directory.CreateDirectory(Path.Combine(top, "rootx"));
        File.WriteAllText(Path.Combine(root, "pxelinux.0"), "x");
        File.WriteAllText(Path.Combine(root, "ltsp", "i386", "pxelinux.0"), "x");
        File.WriteAllText(Path.Combine(root, "192.168.1.57", "pxelinux.0"), "x");
        File.WriteAllText(Path.Combine(root, "52-54-00-12-34-56", "grubx64.efi"), "x");
        File.WriteAllText(Path.Combine(top, "secret"), "outside the root");
        File.WriteAllText(Path.Combine(top, "rootx", "secret"), "outside the root");
        File.CreateSymbolicLink(Path.Combine(root, "inside"), Path.Combine(root, "ltsp"));
        File.CreateSymbolicLink(Path.Combine(root, "escape"), top);
        File.CreateSymbolicLink(Path.Combine(root, "secret-link"), Path.Combine(top, "secret"));
        _realRoot = PhysicalTftpFileSystem.Instance.ResolveRealPath(root) ?? root;
        Config = new TftpConfig { IsEnabled = true, Root = root };
        _variants =
        [
            new TftpPathPolicy(Config, PhysicalTftpFileSystem.Instance),
            new TftpPathPolicy(Config with { LowerCase = true }, PhysicalTftpFileSystem.Instance),
            new TftpPathPolicy(Config with { UniqueRoot = TftpUniqueRoot.ByClientAddress }, PhysicalTftpFileSystem.Instance),
            new TftpPathPolicy(Config with { UniqueRoot = TftpUniqueRoot.ByHardwareAddress }, PhysicalTftpFileSystem.Instance),
            new TftpPathPolicy(Config with { Root = root + "/./ltsp/../", InterfaceRoots = ImmutableDictionary<string, string>.Empty.Add("eth1", Path.Combine(root, "ltsp")) },
                PhysicalTftpFileSystem.Instance),
        ];
    }

    private static readonly TftpClientIdentity Client =
        new(IPv4Address.Parse("192.168.1.57"), HardwareAddress.TryParse("52:54:00:12:34:56", out var mac) ? mac : null);

    /// <summary>First byte picks the policy variant and interface, the rest is the requested name (UTF-8, as the
    /// decoder reads it).</summary>
    public void Check(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }
        var variant = _variants[input[0] % _variants.Length];
        var interfaceName = (input[0] & 0x80) != 0 ? "eth1" : "eth0";
        var name = Encoding.UTF8.GetString(input[1..]);
        var result = variant.Resolve(name, interfaceName, Client);
        Targets.Require(result.IsAllowed == (result.Refusal == TftpPathRefusal.None), "refusal and verdict disagree");
        if (result.IsAllowed)
        {
            var root = variant == _variants[4] && interfaceName == "eth1" ? Path.Combine(_realRoot, "ltsp") : _realRoot;
            RequireInside(result.FullPath, root);
        }
        else
        {
            _ = result.ErrorMessage;
            _ = result.ErrorCode;
        }
    }

    public void RequireInside(string? fullPath) => RequireInside(fullPath, _realRoot);

    private static void RequireInside(string? fullPath, string root)
    {
        Targets.Require(fullPath is not null, "allowed without a path");
        Targets.Require(fullPath!.StartsWith(root + "/", StringComparison.Ordinal), $"allowed path {fullPath} is outside the root {root}");
        Targets.Require(!fullPath.Split('/').Contains(".."), $"allowed path {fullPath} has a '..' segment");
        Targets.Require(File.Exists(fullPath) && !Directory.Exists(fullPath), $"allowed path {fullPath} is not a regular file");
        var real = PhysicalTftpFileSystem.Instance.ResolveRealPath(fullPath);
        Targets.Require(real is not null && real.StartsWith(root + "/", StringComparison.Ordinal), $"allowed path {fullPath} resolves to {real}, outside the root");
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
