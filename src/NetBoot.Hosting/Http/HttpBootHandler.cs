using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Rendering;

namespace NetBoot.Hosting.Http;

/// <summary>Serves one request for a boot file: GET and HEAD only, the name resolved under the HTTP root by the same
/// <see cref="TftpPathPolicy"/> as TFTP (no <c>..</c> segment, nothing outside the root, symlinks leaving it refused
/// whatever <c>tftp-follow-symlinks</c> says, regular readable files only; every refusal answered 404 with one body),
/// Range requests (RFC 9110 §14) and Content-Length by ASP.NET Core's file result.</summary>
public sealed class HttpBootHandler
{
    private readonly TftpPathPolicy _policy;
    private readonly ILogger _logger;

    private readonly BootTelemetry? _telemetry;

    public HttpBootHandler(string root, ILogger logger, ITftpFileSystem? fileSystem = null, BootTelemetry? telemetry = null)
    {
        _telemetry = telemetry;
        ArgumentNullException.ThrowIfNull(root);
        Root = root;
        _logger = logger;
        _policy = new TftpPathPolicy(new TftpConfig { Root = root }, fileSystem ?? PhysicalTftpFileSystem.Instance);
    }

    public string Root { get; }

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Kestrel has decoded the path (except %2F) and removed dot segments; the policy checks again (defence in depth).
        // A decoded path may hold any character (%0a, %1b): the log lines show it through LogText.Escape.
        var path = request.Path.Value ?? "/";
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            const string reason = "method not allowed (boot files are read-only)";
            await RefuseAsync(context, client, path, StatusCodes.Status405MethodNotAllowed, reason, $"405 {reason}\n").ConfigureAwait(false);
            return;
        }
        var resolved = _policy.Resolve(path);
        if (resolved.Refusal == TftpPathRefusal.NotFound && !path.EndsWith('/')
            && _policy.Resolve(path + BootScriptTemplate.Suffix) is { IsAllowed: true } template)
        {
            await ServeTemplateAsync(context, client, path, template.FullPath!, started).ConfigureAwait(false);
            return;
        }
        if (!resolved.IsAllowed)
        {
            // One answer for every refused name (see TftpPathResult): a client cannot tell "outside the root" or "not
            // readable" from "not found"; the log keeps the real reason.
            await RefuseAsync(context, client, path, StatusCodes.Status404NotFound, resolved.Reason, NotFoundBody).ConfigureAwait(false);
            return;
        }
        var file = resolved.FullPath!;
        var info = new FileInfo(file);
        var result = Results.File(file, HttpContentTypes.For(file), lastModified: info.LastWriteTimeUtc, enableRangeProcessing: true);
        context.Response.OnCompleted(() =>
        {
            LogTransfer(context, client, path, file, started);
            return Task.CompletedTask;
        });
        _telemetry?.HttpStarted(context.Connection.RemoteIpAddress, path, info.Length);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>A per-client script rendered from <c>NAME.tmpl</c> (<see cref="BootScriptTemplate"/>).</summary>
    private async Task ServeTemplateAsync(HttpContext context, string client, string path, string templatePath, long started)
    {
        var query = context.Request.Query.Select(q => new KeyValuePair<string, string>(q.Key, q.Value.ToString()));
        var values = BootScriptTemplate.Values(client, context.Request.Host.Value ?? "", query);
        var text = await File.ReadAllTextAsync(templatePath, context.RequestAborted).ConfigureAwait(false);
        var body = BootScriptTemplate.RenderBytes(text, values);
        context.Response.OnCompleted(() =>
        {
            LogTransfer(context, client, path, templatePath + " (rendered)", started);
            return Task.CompletedTask;
        });
        await Results.Bytes(body, HttpContentTypes.For(path), enableRangeProcessing: true).ExecuteAsync(context).ConfigureAwait(false);
    }

    private void LogTransfer(HttpContext context, string client, string path, string file, long started)
    {
        var method = context.Request.Method;
        if (context.RequestAborted.IsCancellationRequested && !HttpMethods.IsHead(method))
        {
            _telemetry?.HttpEnded(context.Connection.RemoteIpAddress, path, context.Response.StatusCode, 0, started, "client went away");
            HttpLog.Aborted(_logger, LogText.Escape(method), LogText.Escape(path), client, LogText.Escape(file));
            return;
        }
        var response = context.Response;
        var bytes = HttpMethods.IsHead(method) ? 0 : response.ContentLength ?? 0;
        var range = response.Headers.ContentRange is { Count: > 0 } contentRange ? $" ({contentRange})" : "";
        _telemetry?.HttpEnded(context.Connection.RemoteIpAddress, path, response.StatusCode, bytes, started, null);
        HttpLog.Sent(_logger, LogText.Escape(method), LogText.Escape(path), client, response.StatusCode, LogText.Escape(file), bytes, range);
    }

    /// <summary>The body of every 404: the same bytes whatever the name and the reason.</summary>
    internal const string NotFoundBody = "404 file not found\n";

    /// <summary>Answers <paramref name="status"/> with <paramref name="body"/> (never naming the root); logs the real
    /// <paramref name="reason"/>.</summary>
    private async Task RefuseAsync(HttpContext context, string client, string path, int status, string reason, string body)
    {
        _telemetry?.HttpEnded(context.Connection.RemoteIpAddress, path, status, 0, System.Diagnostics.Stopwatch.GetTimestamp(), reason);
        HttpLog.Refused(_logger, LogText.Escape(context.Request.Method), LogText.Escape(path), client, status, reason);
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
