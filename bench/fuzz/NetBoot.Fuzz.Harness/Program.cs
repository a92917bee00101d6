using System.Security.Cryptography;
using NetBoot.Fuzz.Harness;
using NetBoot.Wire.Capture;
using NetBoot.Wire.Dhcp;
using SharpFuzz;

// netboot-fuzz run TARGET             the AFL loop (SharpFuzz persistent mode); without AFL it runs stdin once
// netboot-fuzz replay TARGET PATH...  runs files (or every file of folders) and reports each exception
// netboot-fuzz seed OUTDIR REPO       writes seed corpora for every target from REPO/testdata (examples included)
switch (args)
{
    case ["run", var target]:
        var action = Targets.Get(target);
        Fuzzer.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            action(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    case ["replay", var target, .. var paths]:
        return Replay(Targets.Get(target), paths);
    case ["explain-dhcp", var path]:
        // Triage of a dhcp round-trip finding: the message as decoded, and as decoded again after an encode.
        if (DhcpMessageDecoder.TryDecode(File.ReadAllBytes(path), out var first, out var firstError))
        {
            var again = DhcpMessageDecoder.TryDecode(DhcpMessageEncoder.Encode(first, new DhcpEncodeOptions(MaximumLength: 65_000)), out var second, out _) ? second : null;
            Console.WriteLine(NetBoot.Wire.Rendering.DhcpMessageRenderer.Render(first, isPxe: true));
            Console.WriteLine("---- after encode -> decode");
            Console.WriteLine(again is null ? "(does not decode)" : NetBoot.Wire.Rendering.DhcpMessageRenderer.Render(again, isPxe: true));
            Console.WriteLine(first with { Options = DhcpOptionList.Empty } == again! with { Options = DhcpOptionList.Empty } ? "header equal" : $"header differs:\n{first with { Options = DhcpOptionList.Empty }}\n{again with { Options = DhcpOptionList.Empty }}");
        }
        else
        {
            Console.WriteLine($"does not decode: {firstError}");
        }
        return 0;
    case ["seed", var outDirectory, var repository]:
        Seeds.Write(outDirectory, repository);
        return 0;
    default:
        Console.Error.WriteLine("usage: netboot-fuzz run TARGET | replay TARGET PATH... | seed OUTDIR REPO");
        Console.Error.WriteLine($"targets: {string.Join(", ", Targets.Names)}");
        return 2;
}

static int Replay(Action<ReadOnlySpan<byte>> action, string[] paths)
{
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Where(f => !f.EndsWith("README.txt", StringComparison.Ordinal)) : [p]).Order(StringComparer.Ordinal).ToList();
    var failures = 0;
    foreach (var file in files)
    {
        try
        {
            action(File.ReadAllBytes(file));
        }
#pragma warning disable CA1031 // every exception is a finding to report
        catch (Exception e)
#pragma warning restore CA1031
        {
            failures++;
            Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
            Console.WriteLine(e.StackTrace);
        }
    }
    Console.WriteLine($"replayed {files.Count} inputs, {failures} failed");
    return failures == 0 ? 0 : 1;
}

/// <summary>Seed corpora from the repository's own test data: UDP payloads of the captures (DHCP on 67/68/4011, TFTP
/// on 69 and the data ports), the option 43 values inside those DHCP messages, file names of the TFTP requests, and
/// the configuration files of testdata/lab and testdata/examples.</summary>
internal static class Seeds
{
    public static void Write(string outDirectory, string repository)
    {
        var sets = Targets.Names.ToDictionary(n => n, _ => new Dictionary<string, byte[]>(StringComparer.Ordinal));
        void Add(string target, byte[] bytes)
        {
            if (bytes.Length is > 0 and <= 4096)
            {
                sets[target].TryAdd(Convert.ToHexStringLower(SHA256.HashData(bytes))[..16], bytes);
            }
        }
        var captures = Directory.EnumerateFiles(Path.Combine(repository, "testdata"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal));
        foreach (var capture in captures)
        {
            var captureBytes = File.ReadAllBytes(capture);
            if (captureBytes.Length <= 8192)
            {
                sets["capture"].TryAdd(Path.GetFileName(capture), captureBytes);
            }
            if (!CaptureFile.TryOpen(captureBytes, out var file, out _))
            {
                continue;
            }
            foreach (var datagram in UdpDatagramExtractor.ExtractAll(file.Frames))
            {
                var payload = datagram.Payload.ToArray();
                if (datagram.HasPort(67) || datagram.HasPort(68) || datagram.HasPort(4011))
                {
                    Add("dhcp", payload);
                    if (DhcpMessageDecoder.TryDecode(payload, out var message, out _))
                    {
                        foreach (var option in message.Options)
                        {
                            if ((byte)option.Code == 43)
                            {
                                Add("pxe43", [.. option.Data]);
                            }
                        }
                    }
                }
                else if (datagram.HasPort(69) || (datagram.SourcePort > 1024 && datagram.DestinationPort > 1024))
                {
                    // Data blocks differ only in content: keep the headers and a short payload.
                    Add("tftp", payload.Length > 64 && payload[1] == 3 ? payload[..64] : payload);
                    if (payload.Length > 2 && payload[1] is 1 or 2)
                    {
                        var end = Array.IndexOf(payload, (byte)0, 2);
                        if (end > 2)
                        {
                            Add("tftp-path", [0, .. payload[2..end]]);
                            Add("tftp-path", [3, .. payload[2..end]]);
                        }
                    }
                }
            }
        }
        foreach (var name in new[] { "pxelinux.0", "/pxelinux.0", "ltsp/i386/pxelinux.0", "inside/i386/pxelinux.0", "escape/secret", "secret-link", "../secret", "boot\\x64\\grubx64.efi" })
        {
            Add("tftp-path", [0, .. System.Text.Encoding.UTF8.GetBytes(name)]);
        }
        var configs = Directory.EnumerateFiles(Path.Combine(repository, "testdata"), "*.conf", SearchOption.AllDirectories);
        foreach (var config in configs)
        {
            Add("config", File.ReadAllBytes(config));
        }
        foreach (var (target, seeds) in sets)
        {
            var directory = Directory.CreateDirectory(Path.Combine(outDirectory, target)).FullName;
            foreach (var (name, bytes) in seeds)
            {
                File.WriteAllBytes(Path.Combine(directory, name), bytes);
            }
            Console.WriteLine($"{target}: {seeds.Count} seeds");
        }
    }
}
