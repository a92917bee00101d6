// The SQLite lease store's commit path: N new leases decided in batches of 64 and committed once per batch (as the DHCP
// receive loop defers them), then the same N clients renewing (same address, later expiry), then each moving to another
// address, then N more new clients. Prints,
// per lease, the process CPU time and the bytes handed to write(2) (WAL and checkpoints: /proc/self/io wchar).
// Client keys are spread (a multiplicative hash), as real MACs are, so the client index gets random keys.
using System.Diagnostics;
using System.Globalization;
using NetBoot.Engine;
using NetBoot.Engine.Leases;
using NetBoot.Leases;
using NetBoot.Wire.Net;

var count = int.Parse(args[0], CultureInfo.InvariantCulture);
var path = args[1];
var expires = DateTimeOffset.UtcNow.AddHours(12);

await using var store = SqliteLeaseStore.Open(path);
await Phase(store, 3000, clientBase: 10_000_000, shift: 0); // JIT warm-up, not reported
var fresh = await Phase(store, count, clientBase: 0, shift: 0);
var renewed = await Phase(store, count, clientBase: 0, shift: 0, TimeSpan.FromHours(1));
var moved = await Phase(store, count, clientBase: 0, shift: 5);
var more = await Phase(store, count, clientBase: 5_000_000, shift: 11);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{count} new: {fresh.CpuMicroseconds:F1} us CPU, {fresh.Bytes} B written per lease; renewals: {renewed.CpuMicroseconds:F1} us, {renewed.Bytes} B; moves: {moved.CpuMicroseconds:F1} us, {moved.Bytes} B; {count} more new: {more.CpuMicroseconds:F1} us, {more.Bytes} B"));

async Task<(double CpuMicroseconds, long Bytes)> Phase(SqliteLeaseStore leases, int n, int clientBase, int shift, TimeSpan later = default)
{
    using var process = Process.GetCurrentProcess();
    var cpu = process.TotalProcessorTime;
    var written = WrittenBytes();
    for (var start = 0; start < n; start += 64)
    {
        var durable = new List<Task>(64);
        for (var i = start; i < Math.Min(n, start + 64); i++)
        {
            var lease = LeaseOf(i + clientBase, shift, later);
            durable.Add(leases.ExecuteDeferred(_ => new DhcpOutcome(new NoReply(NoReplyReason.Recorded, "bench"), new LeaseUpsert(lease, LeaseEvent.Add))).Durable);
        }
        var committed = new TaskCompletionSource();
        leases.CommitDeferred(committed.SetResult);
        await committed.Task.ConfigureAwait(false);
        await Task.WhenAll(durable).ConfigureAwait(false);
    }
    process.Refresh();
    return ((process.TotalProcessorTime - cpu).TotalMicroseconds / n, (WrittenBytes() - written) / n);
}

Lease LeaseOf(int i, int shift, TimeSpan later) => new(
    new IPv4Address(0x0A500101u + (uint)(((long)i * 7919 + shift) % 262000)),
    new ClientKey(string.Create(CultureInfo.InvariantCulture, $"hw:0102{((ulong)i * 2654435761UL) & 0xFFFFFFFFFFUL:x10}")),
    HardwareAddress.Ethernet([2, 0, (byte)(i >> 24), (byte)(i >> 16), (byte)(i >> 8), (byte)i]),
    [], null, expires + later, LeaseState.Bound);

static long WrittenBytes() => long.Parse(File.ReadAllLines("/proc/self/io").First(l => l.StartsWith("wchar:", StringComparison.Ordinal))[6..].Trim(), CultureInfo.InvariantCulture);
