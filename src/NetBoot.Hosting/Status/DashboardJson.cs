using System.Buffers;
using System.Text.Json;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Hosting.Telemetry;

namespace NetBoot.Hosting.Status;

/// <summary>The dashboard's state as JSON, written with <see cref="Utf8JsonWriter"/> (no reflection: NativeAOT-clean).</summary>
internal static class DashboardJson
{
    /// <summary>The page lists at most this many leases (ordered by address).</summary>
    public const int MaxLeases = 500;

    /// <summary>Appends the state to <paramref name="buffer"/> (the event stream reuses one buffer for every update); the
    /// ranges being served are listed for <c>netboot status</c>.</summary>
    public static void Write(IBufferWriter<byte> buffer, DateTimeOffset now, BootTrackerState clients, IReadOnlyList<Lease> leases,
        IReadOnlyList<PoolUsage> pools, IReadOnlyList<RecentLogLine> errors, IReadOnlyList<DhcpRangeConfig>? ranges = null,
        IReadOnlyList<Engine.Dhcp6.Ipv6Lease>? leases6 = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("now", now);
            // The ranges being served (netboot status lists them; proxy ranges have no pool).
            json.WriteStartArray("ranges");
            foreach (var range in ranges ?? [])
            {
                json.WriteStartObject();
                json.WriteString("start", range.Start.ToString());
                json.WriteString("end", range.End.ToString());
                json.WriteString("mode", range.Mode.ToString().ToLowerInvariant());
                json.WriteString("source", range.Source.ToString());
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("clients");
            foreach (var client in clients.Clients.Values.OrderByDescending(c => c.LastSeen))
            {
                WriteClient(json, client);
            }
            json.WriteEndArray();
            json.WriteStartArray("leases");
            foreach (var lease in leases.Where(l => l.IsActiveAt(now)).Take(MaxLeases))
            {
                json.WriteStartObject();
                json.WriteString("address", lease.Address.ToString());
                json.WriteString("mac", lease.HardwareAddress.ToString());
                json.WriteString("hostName", lease.HostName ?? "");
                json.WriteString("state", lease.State.ToString().ToLowerInvariant());
                if (lease.IsInfinite)
                {
                    json.WriteNull("expires");
                }
                else
                {
                    json.WriteString("expires", lease.Expires);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            // DHCPv6 (IA_NA) leases: DUID and IAID name the client (no MAC in DHCPv6).
            json.WriteStartArray("leases6");
            foreach (var lease in (leases6 ?? []).Where(l => l.IsActiveAt(now)).Take(MaxLeases))
            {
                json.WriteStartObject();
                json.WriteString("address", lease.Address.ToString());
                json.WriteString("duid", lease.Duid.ToString());
                json.WriteNumber("iaid", lease.Iaid);
                json.WriteString("state", lease.State.ToString().ToLowerInvariant());
                if (lease.Expires == DateTimeOffset.MaxValue)
                {
                    json.WriteNull("expires");
                }
                else
                {
                    json.WriteString("expires", lease.Expires);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("pools");
            foreach (var pool in pools)
            {
                json.WriteStartObject();
                json.WriteString("range", pool.Range);
                json.WriteNumber("size", pool.Size);
                json.WriteNumber("used", pool.Used);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("errors");
            foreach (var error in errors.Reverse())
            {
                json.WriteStartObject();
                json.WriteString("at", error.At);
                json.WriteString("level", error.Level);
                json.WriteString("text", error.Text);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    private static void WriteClient(Utf8JsonWriter json, ClientBoot client)
    {
        json.WriteStartObject();
        json.WriteString("key", client.Key);
        json.WriteString("stage", client.Stage.ToString());
        json.WriteString("stageText", client.StageText);
        json.WriteString("detail", client.Detail);
        json.WriteString("architecture", client.Architecture ?? "");
        json.WriteString("addresses", string.Join(" ", client.Addresses));
        json.WriteString("file", client.File ?? "");
        if (client.Percent is { } percent)
        {
            json.WriteNumber("percent", percent);
        }
        json.WriteString("firstSeen", client.FirstSeen);
        json.WriteString("lastSeen", client.LastSeen);
        json.WriteStartArray("history");
        foreach (var step in client.History)
        {
            json.WriteStartObject();
            json.WriteString("at", step.At);
            json.WriteString("text", step.Text);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
