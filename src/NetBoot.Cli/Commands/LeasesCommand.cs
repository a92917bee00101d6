using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Leases;
using NetBoot.Leases;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot leases [--json] [-C FILE]</c>: the current leases from the lease database (the configuration only
/// says where the database is: <c>dhcp-leasefile</c>, or <c>NETBOOT_LEASE_DB</c>).</summary>
internal static class LeasesCommand
{
    public static Command Create()
    {
        var arguments = new ConfigArguments();
        var json = new Option<bool>("--json") { Description = "Print the leases as JSON." };
        var command = new Command("leases", "List the current DHCP leases (table, or --json).");
        command.Options.Add(json);
        arguments.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            if (await arguments.LoadOrReportAsync(result).ConfigureAwait(false) is not { } loaded)
            {
                return 1;
            }
            var (all, readError) = await LeaseStores.ReadAsync(loaded, cancellationToken).ConfigureAwait(false);
            if (readError is not null)
            {
                await Console.Error.WriteLineAsync("netboot: " + readError).ConfigureAwait(false);
                return 1;
            }
            var now = DateTimeOffset.UtcNow;
            var leases = all!.Where(l => l.State == LeaseState.Bound).ToList();
            await Console.Out.WriteAsync(result.GetValue(json) ? Json(leases, now) : Table(leases, now)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    internal static string Table(IReadOnlyList<Lease> leases, DateTimeOffset now)
    {
        var lines = new List<string> { $"{"ADDRESS",-15}  {"HARDWARE ADDRESS",-17}  {"HOSTNAME",-20}  {"EXPIRES (UTC)",-19}  STATE" };
        lines.AddRange(leases.Select(l =>
            $"{l.Address,-15}  {DnsmasqLeaseFile.HardwareText(l),-17}  {l.HostName ?? "*",-20}  {Expiry(l),-19}  {(l.IsActiveAt(now) ? "active" : "expired")}"));
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>Written with <see cref="Utf8JsonWriter"/> (no reflection: the CLI publishes as NativeAOT).</summary>
    internal static string Json(IReadOnlyList<Lease> leases, DateTimeOffset now)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var lease in leases)
            {
                json.WriteStartObject();
                json.WriteString("address", lease.Address.ToString());
                json.WriteString("hardwareAddress", DnsmasqLeaseFile.HardwareText(lease));
                WriteStringOrNull(json, "clientId", lease.ClientId.IsDefaultOrEmpty ? null : Convert.ToHexStringLower(lease.ClientId.AsSpan()));
                WriteStringOrNull(json, "hostname", lease.HostName);
                WriteStringOrNull(json, "expires", lease.IsInfinite ? null : lease.Expires.ToString("O", CultureInfo.InvariantCulture));
                json.WriteBoolean("active", lease.IsActiveAt(now));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static string Expiry(Lease lease) =>
        lease.IsInfinite ? "never" : lease.Expires.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
