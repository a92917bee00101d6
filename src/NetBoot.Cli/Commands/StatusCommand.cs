using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot status [-C FILE | --url URL] [--token T] [--json]</c>: what a running server is doing, read from its
/// status endpoint (<c>/state</c> on <c>dashboard-listen</c>, the JSON the live dashboard shows): the ranges it serves,
/// pool use, the clients booting with their stage, the leases, and its recent warnings and errors. The configuration
/// (the same options as <c>serve</c>) only says where the endpoint is and which token it wants.</summary>
internal static class StatusCommand
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var arguments = new ConfigArguments();
        var url = new Option<string?>("--url")
        {
            Description = "The dashboard's address (default: dashboard-listen of the configuration).",
            HelpName = "http://HOST:PORT",
        };
        var token = new Option<string?>("--token") { Description = "The dashboard-token (default: the configuration's).", HelpName = "TOKEN" };
        var json = new Option<bool>("--json") { Description = "Print the server's /state JSON as it came." };
        var command = new Command("status", "Show a running server's ranges, pools, clients booting, leases and recent errors (from dashboard-listen).")
        {
            url, token, json,
        };
        arguments.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            var (baseUrl, secret, error) = await EndpointAsync(result, arguments, result.GetValue(url), result.GetValue(token)).ConfigureAwait(false);
            if (error is not null)
            {
                await errors.WriteLineAsync("netboot: status: " + error).ConfigureAwait(false);
                return 1;
            }
            var (body, fetchError) = await FetchAsync(baseUrl!, secret, cancellationToken).ConfigureAwait(false);
            if (fetchError is not null)
            {
                await errors.WriteLineAsync($"netboot: status: {baseUrl}/state: {fetchError}").ConfigureAwait(false);
                return 2;
            }
            if (result.GetValue(json))
            {
                await output.WriteLineAsync(body).ConfigureAwait(false);
                return 0;
            }
            try
            {
                using var document = JsonDocument.Parse(body!);
                await output.WriteAsync(Render(document.RootElement, baseUrl!)).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                await errors.WriteLineAsync($"netboot: status: {baseUrl}/state did not answer NetBoot's state: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }

    /// <summary>Where to ask: <c>--url</c>, else the configuration's <c>dashboard-listen</c> (an address of 0.0.0.0 is asked
    /// on 127.0.0.1).</summary>
    private static async Task<(string? Url, string? Token, string? Error)> EndpointAsync(ParseResult result, ConfigArguments arguments, string? url, string? token)
    {
        if (url is not null)
        {
            return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? (url.TrimEnd('/'), token, null)
                : (null, null, $"--url {url}: not an http:// address");
        }
        if (await arguments.LoadOrReportAsync(result).ConfigureAwait(false) is not { } config)
        {
            return (null, null, "the configuration cannot be read (see above)");
        }
        if (config.Status.Dashboard is not { } dashboard)
        {
            return (null, null, "no dashboard-listen in the configuration: status reads the running server's state from it. "
                + "Add dashboard-listen=9168 (it listens on 127.0.0.1) and restart the server, or give --url http://HOST:PORT");
        }
        var host = dashboard.Address.ToString() == "0.0.0.0" ? "127.0.0.1" : dashboard.Address.ToString();
        return (string.Create(CultureInfo.InvariantCulture, $"http://{host}:{dashboard.Port}"), token ?? config.Status.DashboardToken, null);
    }

    private static async Task<(string? Body, string? Error)> FetchAsync(string baseUrl, string? token, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = RequestTimeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/state");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? (body, null) : (null, body.Trim() is { Length: > 0 } text ? text : $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (null, $"no answer ({e.Message}); is netboot serve running with this configuration's dashboard-listen?");
        }
    }

    /// <summary>The state as text, one section per kind of thing, each line grep-able.</summary>
    internal static string Render(JsonElement state, string url)
    {
        var now = state.GetProperty("now").GetDateTimeOffset();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"NetBoot at {url}, {now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC\n");
        var ranges = Items(state, "ranges").ToList();
        Section(text, "ranges", ranges.Count, ranges.Select(r => r.GetProperty("mode").GetString() == "proxy"
            ? $"{r.GetProperty("start").GetString()} proxy ({r.GetProperty("source").GetString()})"
            : $"{r.GetProperty("start").GetString()}-{r.GetProperty("end").GetString()} {r.GetProperty("mode").GetString()} ({r.GetProperty("source").GetString()})"));
        var pools = Items(state, "pools").ToList();
        Section(text, "pools", pools.Count, pools.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.GetProperty("range").GetString()}: {p.GetProperty("used").GetInt64()} of {p.GetProperty("size").GetInt64()} addresses leased")));
        var clients = Items(state, "clients").ToList();
        Section(text, "clients booting", clients.Count, clients.Select(c => ClientLine(c, now)));
        var leases = Items(state, "leases").ToList();
        Section(text, "leases", leases.Count, leases.Select(l =>
            $"{l.GetProperty("address").GetString(),-15}  {l.GetProperty("mac").GetString(),-17}  {Or(l.GetProperty("hostName").GetString(), "*"),-20}  "
            + (l.GetProperty("expires").ValueKind == JsonValueKind.Null ? "never expires" : $"expires in {Ago(l.GetProperty("expires").GetDateTimeOffset() - now)}")));
        var errors = Items(state, "errors").ToList();
        Section(text, "recent warnings and errors", errors.Count, errors.Select(e =>
            $"{Ago(now - e.GetProperty("at").GetDateTimeOffset())} ago  {e.GetProperty("level").GetString()}: {e.GetProperty("text").GetString()}"));
        return text.ToString();
    }

    private static string ClientLine(JsonElement client, DateTimeOffset now)
    {
        var parts = new List<string> { client.GetProperty("key").GetString()!, client.GetProperty("stageText").GetString()! };
        AddIfAny(parts, client, "architecture", "arch ");
        AddIfAny(parts, client, "addresses", "");
        AddIfAny(parts, client, "file", "file ");
        parts.Add($"last seen {Ago(now - client.GetProperty("lastSeen").GetDateTimeOffset())} ago");
        return string.Join("  ", parts);
    }

    private static void AddIfAny(List<string> parts, JsonElement element, string name, string prefix)
    {
        if (element.TryGetProperty(name, out var value) && value.GetString() is { Length: > 0 } text)
        {
            parts.Add(prefix + text);
        }
    }

    private static IEnumerable<JsonElement> Items(JsonElement state, string name) =>
        state.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];

    private static void Section(StringBuilder text, string title, int count, IEnumerable<string> lines)
    {
        text.Append(CultureInfo.InvariantCulture, $"\n{title} ({count}):\n");
        var any = false;
        foreach (var line in lines)
        {
            text.Append("  ").Append(line).Append('\n');
            any = true;
        }
        if (!any)
        {
            text.Append("  none\n");
        }
    }

    private static string Or(string? value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;

    /// <summary>"4 s", "3 min", "2 h": a duration as a person reads it.</summary>
    internal static string Ago(TimeSpan span)
    {
        var seconds = Math.Max(0, span.TotalSeconds);
        return seconds switch
        {
            < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0} s"),
            < 7200 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0} min"),
            < 172800 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0} h"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400:0} d"),
        };
    }
}
