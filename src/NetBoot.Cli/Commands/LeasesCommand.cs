using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Dhcp6;
using NetBoot.Engine.Leases;
using NetBoot.Leases;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot leases [--json] [-C FILE]</c>: the current leases from the lease database (the configuration only
/// says where the database is: <c>dhcp-leasefile</c>, or <c>NETBOOT_LEASE_DB</c>): the DHCPv4 leases, then the IPv6
/// (IA_NA) ones when there are any.</summary>
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
            var (all6, readError6) = await LeaseStores.ReadIpv6Async(loaded, cancellationToken).ConfigureAwait(false);
            if (readError6 is not null)
            {
                await Console.Error.WriteLineAsync("netboot: " + readError6).ConfigureAwait(false);
                return 1;
            }
            var now = DateTimeOffset.UtcNow;
            var leases = all!.Where(l => l.State == LeaseState.Bound).ToList();
            var leases6 = all6!.Where(l => l.State != Ipv6LeaseState.Offered).ToList();
            await Console.Out.WriteAsync(result.GetValue(json) ? Json(leases, leases6, now) : Table(leases, now) + Table6(leases6, now)).ConfigureAwait(false);
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

    /// <summary>The IPv6 leases (bound and declined) as a second table after the DHCPv4 one; nothing when there are none,
    /// so that an IPv4-only server's output is unchanged.</summary>
    internal static string Table6(IReadOnlyList<Ipv6Lease> leases, DateTimeOffset now)
    {
        if (leases.Count == 0)
        {
            return "";
        }
        var lines = new List<string> { "", $"{"IPV6 ADDRESS",-39}  {"DUID",-29}  {"IAID",10}  {"EXPIRES (UTC)",-19}  STATE" };
        lines.AddRange(leases.Select(l => $"{l.Address,-39}  {l.Duid,-29}  {l.Iaid,10}  {Expiry(l.Expires),-19}  {State6(l, now)}"));
        return string.Join('\n', lines) + "\n";
    }

    private static string State6(Ipv6Lease lease, DateTimeOffset now) =>
        lease.State == Ipv6LeaseState.Declined ? "declined" : lease.IsActiveAt(now) ? "active" : "expired";

    internal static string Json(IReadOnlyList<Lease> leases, DateTimeOffset now) => Json(leases, [], now);

    /// <summary>Written with <see cref="Utf8JsonWriter"/> (no reflection: the CLI publishes as NativeAOT). One array: the
    /// DHCPv4 leases as before, then the IPv6 ones (address, duid, iaid, expires, state, active).</summary>
    internal static string Json(IReadOnlyList<Lease> leases, IReadOnlyList<Ipv6Lease> leases6, DateTimeOffset now)
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
            foreach (var lease in leases6)
            {
                json.WriteStartObject();
                json.WriteString("address", lease.Address.ToString());
                json.WriteString("duid", lease.Duid.ToString());
                json.WriteNumber("iaid", lease.Iaid);
                WriteStringOrNull(json, "expires", lease.Expires == DateTimeOffset.MaxValue ? null : lease.Expires.ToString("O", CultureInfo.InvariantCulture));
                json.WriteString("state", State6(lease, now));
                json.WriteBoolean("active", lease.State == Ipv6LeaseState.Bound && lease.IsActiveAt(now));
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

    private static string Expiry(Lease lease) => Expiry(lease.IsInfinite ? DateTimeOffset.MaxValue : lease.Expires);

    private static string Expiry(DateTimeOffset expires) =>
        expires == DateTimeOffset.MaxValue ? "never" : expires.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
