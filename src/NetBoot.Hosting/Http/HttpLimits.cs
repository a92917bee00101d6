using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace NetBoot.Hosting.Http;

/// <summary>Kestrel's limits for the boot port: time limits so that a connection that sends nothing, sends its headers
/// a byte at a time or reads its answer a byte at a time is closed, and size limits so that what one connection can
/// make the server hold is small and known (docs/hostile-input.md, "HTTP connection budget").</summary>
internal static class HttpLimits
{
    /// <summary>A connection with no request in progress, the first one included (Kestrel starts this clock when the
    /// connection opens). Firmware asks its next file at once; iPXE reopens a keep-alive connection the server closed.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(15);

    /// <summary>From the first byte of a request to the end of its headers (slowloris).</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Kestrel's default, written out: below 240 bytes/s after a 5 s grace, a request body or a response is
    /// abandoned and the connection closed (a client that stops reading cannot hold its connection and buffers).</summary>
    public static readonly MinDataRate MinimumDataRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    public const int MaxRequestLineSize = 8 * 1024;
    public const int MaxRequestHeadersTotalSize = 16 * 1024;

    public static void Apply(KestrelServerLimits limits, HttpConnectionBudget budget)
    {
        // The connection table admits first; Kestrel's own count is a second line, set so it can only agree with it.
        limits.MaxConcurrentConnections = budget.Capacity + HttpConnectionTable.ClosingAllowance;
        limits.MaxConcurrentUpgradedConnections = 0;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.MinRequestBodyDataRate = MinimumDataRate;
        limits.MinResponseDataRate = MinimumDataRate;
        limits.MaxRequestLineSize = MaxRequestLineSize;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        limits.MaxRequestBufferSize = BudgetedSocketTransport.MaxReadBufferSize;
    }

    /// <summary>One request at a time per connection (no HTTP/2: firmware speaks HTTP/1.1, and the budget counts
    /// connections, not streams).</summary>
    public static void Configure(ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Protocols = HttpProtocols.Http1;
    }

    /// <summary>Marks the connection busy while a request is answered, idle again once its response is complete, so a
    /// full table makes room only with connections that are not answering anything.</summary>
    public static void UseConnectionTracking(this IApplicationBuilder app, HttpConnectionTable table) =>
        app.Use(next => async context =>
        {
            if (context.Features.Get<HttpConnectionSlot>() is { } slot)
            {
                table.MarkBusy(slot);
                context.Response.OnCompleted(() =>
                {
                    table.MarkIdle(slot);
                    return Task.CompletedTask;
                });
            }
            await next(context).ConfigureAwait(false);
        });
}
