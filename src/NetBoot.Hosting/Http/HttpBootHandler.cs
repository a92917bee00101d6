using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Status;
using NetBoot.Wire.Rendering;

namespace NetBoot.Hosting.Http;

/// <summary>Serves one request for a boot file: GET and HEAD only, the name resolved under the HTTP root by the same
/// <see cref="TftpPathPolicy"/> as TFTP (no <c>..</c> segment, nothing outside the root, symlinks leaving it refused,
/// regular readable files only), Range requests (RFC 9110 §14) and Content-Length by ASP.NET Core's file result.</summary>
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
            await RefuseAsync(context, client, path, StatusCodes.Status405MethodNotAllowed, "method not allowed (boot files are read-only)").ConfigureAwait(false);
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
            var status = resolved.Refusal is TftpPathRefusal.NotFound or TftpPathRefusal.EmptyName ? StatusCodes.Status404NotFound : StatusCodes.Status403Forbidden;
            await RefuseAsync(context, client, path, status, Describe(resolved.Refusal)).ConfigureAwait(false);
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

    private async Task RefuseAsync(HttpContext context, string client, string path, int status, string reason)
    {
        _telemetry?.HttpEnded(context.Connection.RemoteIpAddress, path, status, 0, System.Diagnostics.Stopwatch.GetTimestamp(), reason);
        HttpLog.Refused(_logger, LogText.Escape(context.Request.Method), LogText.Escape(path), client, status, reason);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            // The reason never names the root: a client learns only what it asked for.
            await context.Response.WriteAsync($"{status} {reason}\n", context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static string Describe(TftpPathRefusal refusal) => refusal switch
    {
        TftpPathRefusal.NotFound => "file not found",
        TftpPathRefusal.EmptyName => "no file named (directory listings are not served)",
        TftpPathRefusal.NotRegularFile => "not a regular file",
        TftpPathRefusal.ParentSegment => "'..' is not allowed in a path",
        TftpPathRefusal.OutsideRoot or TftpPathRefusal.SymlinkOutsideRoot => "outside the HTTP root",
        TftpPathRefusal.NotReadable => "permission denied",
        _ => "invalid name",
    };
}
