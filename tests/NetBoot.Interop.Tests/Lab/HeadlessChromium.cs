using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Lab;

/// <summary>Debian's chromium, headless, inside one of the lab's namespaces (so it reaches a server bound to that
/// namespace's loopback), driven through the DevTools protocol over <c>--remote-debugging-pipe</c>: two FIFOs in the
/// lab's folder carry NUL-terminated JSON messages, so no TCP port is opened anywhere. Ended with the lab.</summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly FileStream _toBrowser;
    private readonly FileStream _fromBrowser;
    private readonly Task _reader;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private int _nextId;
    private string? _session;

    private HeadlessChromium(LabProcess process, FileStream toBrowser, FileStream fromBrowser)
    {
        Process = process;
        _toBrowser = toBrowser;
        _fromBrowser = fromBrowser;
        _reader = Task.Run(ReadLoopAsync);
    }

    public LabProcess Process { get; }

    public static async Task<HeadlessChromium> StartAsync(NamespaceLab lab, string netns)
    {
        var directory = Path.Combine(lab.WorkDirectory, "chromium");
        Directory.CreateDirectory(directory);
        var input = Path.Combine(directory, "cdp-in");
        var output = Path.Combine(directory, "cdp-out");
        Shell.Run("mkfifo", input, output);
        string[] flags =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
            $"--user-data-dir={Path.Combine(directory, "profile")}", "--remote-debugging-pipe", "about:blank",
        ];
        // The shell opens fd 3 (commands) then fd 4 (answers) before exec: we open them in the same order.
        var process = lab.Start("chromium", netns, "sh",
            ["-c", "out=\"$1\"; shift; exec chromium \"$@\" 3<\"$0\" 4>\"$out\"", input, output, .. flags]);
        var toBrowser = await OpenAsync(input, FileAccess.Write, process);
        var fromBrowser = await OpenAsync(output, FileAccess.Read, process);
        return new HeadlessChromium(process, toBrowser, fromBrowser);
    }

    /// <summary>Opens a new tab, attaches to it, navigates it to <paramref name="url"/> and waits until the new document
    /// is parsed (DOMContentLoaded), so later evaluations run in it and find its elements.</summary>
    public async Task OpenAsync(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var target = await CallAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var attached = await CallAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true });
        _session = attached["sessionId"]!.GetValue<string>();
        var navigated = await CallAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        if (navigated["errorText"] is { } error)
        {
            throw new InvalidOperationException($"chromium could not open {url}: {error}");
        }
        // Committed is not parsed: until the parser has built <html> and <body>, scripts see no elements to observe.
        await EvaluateAsync("""
            document.readyState !== 'loading' ||
              new Promise(resolve => document.addEventListener('DOMContentLoaded', () => resolve(true), { once: true }))
            """, TimeSpan.FromSeconds(30));
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page; a promise is awaited. Throws with the page's exception text.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, TimeSpan timeout)
    {
        var result = await CallAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["awaitPromise"] = true,
            ["returnByValue"] = true,
        }, timeout + TimeSpan.FromSeconds(10));
        if (result["exceptionDetails"] is { } exception)
        {
            var text = exception["exception"]?["description"]?.ToString() ?? exception["text"]?.ToString();
            throw new InvalidOperationException("page script failed: " + text);
        }
        return result["result"]?["value"];
    }

    /// <summary>A PNG of the page (kept with the lab's artifacts when a test fails).</summary>
    public async Task ScreenshotAsync(string path)
    {
        var shot = await CallAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot["data"]!.GetValue<string>()));
    }

    private async Task<JsonObject> CallAsync(string method, JsonObject parameters, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (_session is not null && !method.StartsWith("Target.", StringComparison.Ordinal))
        {
            message["sessionId"] = _session;
        }
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString() + "\0");
        await _sendLock.WaitAsync();
        try
        {
            await _toBrowser.WriteAsync(bytes);
            await _toBrowser.FlushAsync();
        }
        finally
        {
            _sendLock.Release();
        }
        var reply = await answer.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        if (reply["error"] is { } error)
        {
            throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        }
        return reply["result"]?.AsObject() ?? [];
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            int read;
            while ((read = await _fromBrowser.ReadAsync(buffer)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != 0)
                    {
                        message.WriteByte(buffer[i]);
                        continue;
                    }
                    Dispatch(message.ToArray());
                    message.SetLength(0);
                }
            }
        }
        catch (IOException)
        {
        }
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException("chromium closed its DevTools pipe; see chromium.log"));
        }
    }

    private void Dispatch(byte[] json)
    {
        // Events (no id) are not needed: the page is observed through Runtime.evaluate.
        if (JsonNode.Parse(json) is JsonObject reply && reply["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var waiter))
        {
            waiter.TrySetResult(reply);
        }
    }

    private static async Task<FileStream> OpenAsync(string fifo, FileAccess access, LabProcess process)
    {
        // Opening a FIFO blocks until the other side opens it: off the test's thread, bounded, and failing fast if chromium died.
        var open = Task.Run(() => new FileStream(fifo, FileMode.Open, access, FileShare.ReadWrite, 1, FileOptions.None));
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!open.IsCompleted)
        {
            process.EnsureRunning();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"chromium did not open {fifo} within {StartTimeout.TotalSeconds} s; see {process.Log.Path}");
            }
            await Task.WhenAny(open, Task.Delay(200));
        }
        return await open;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CallAsync("Browser.close", [], TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            // Already gone; the lab ends the process anyway.
        }
        await _toBrowser.DisposeAsync();
        await _reader.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        await _fromBrowser.DisposeAsync();
        _sendLock.Dispose();
    }
}
