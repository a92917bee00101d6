using System.Diagnostics;
using NetBoot.Testing;

namespace NetBoot.Cli.Tests;

/// <summary><c>netboot decode -</c> as a pipeline runs it (<c>tcpdump -U -w - | netboot decode -</c>): the executable
/// reads its standard input, fed one record at a time, and prints each DHCP/TFTP packet before the next record is
/// written; the summary comes when the input ends.</summary>
public sealed class DecodeStdinTests
{
    private const int PcapFileHeaderLength = 24;

    [Fact]
    public async Task Each_packet_is_printed_as_its_record_arrives_on_standard_input()
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(TestPaths.TestData, "pcap", "dhcp", "zeek-dhcp.pcap"));
        var info = new ProcessStartInfo(CliRun.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("decode");
        info.ArgumentList.Add("-");
        using var decode = Process.Start(info)!;
        try
        {
            var stdin = decode.StandardInput.BaseStream;
            var lines = new LineQueue(decode.StandardOutput);
            await stdin.WriteAsync(bytes.AsMemory(0, PcapFileHeaderLength));
            await stdin.FlushAsync();
            await lines.WaitForAsync("format  pcap");
            var number = 0;
            for (var at = PcapFileHeaderLength; at < bytes.Length; number++)
            {
                var length = 16 + BitConverter.ToInt32(bytes, at + 8);
                Assert.DoesNotContain(lines.Seen, l => l.StartsWith($"#{number + 1} ", StringComparison.Ordinal));
                await stdin.WriteAsync(bytes.AsMemory(at, length));
                await stdin.FlushAsync();
                // Every frame of this capture is DHCP: each one's line must come before the next record is sent.
                await lines.WaitForAsync($"#{number + 1} ");
                at += length;
            }
            Assert.DoesNotContain(lines.Seen, l => l.StartsWith("summary", StringComparison.Ordinal));
            decode.StandardInput.Close();
            await lines.WaitForAsync($"summary {number} frames: {number} DHCP");
            await decode.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, decode.ExitCode);
            Assert.Equal(9, number);
        }
        finally
        {
            if (!decode.HasExited)
            {
                decode.Kill();
            }
        }
    }

    /// <summary>Reads lines as they come and lets the test await one that starts with a text (bounded).</summary>
    private sealed class LineQueue
    {
        private readonly List<string> _seen = [];
        private readonly SemaphoreSlim _arrived = new(0);
        private readonly Lock _gate = new();

        public LineQueue(StreamReader reader) => _ = PumpAsync(reader);

        public IReadOnlyList<string> Seen
        {
            get
            {
                lock (_gate)
                {
                    return [.. _seen];
                }
            }
        }

        public async Task WaitForAsync(string start)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!Seen.Any(l => l.StartsWith(start, StringComparison.Ordinal)))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
                {
                    throw new TimeoutException($"no line starting '{start}'; so far:\n{string.Join('\n', Seen)}");
                }
            }
        }

        private async Task PumpAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_gate)
                {
                    _seen.Add(line);
                }
                _arrived.Release();
            }
        }
    }
}
