using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace NetBoot.Interop.Tests.Lab;

/// <summary>QEMU's human monitor on a unix socket, used to type keys into the VM. Every command waits for
/// the next <c>(qemu)</c> prompt: closing the socket right after writing drops the command.</summary>
public sealed class QemuMonitor : IAsyncDisposable
{
    private const string Prompt = "(qemu) ";
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(15);

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[4096];

    private QemuMonitor(Socket socket) => _socket = socket;

    public static async Task<QemuMonitor> ConnectAsync(string socketPath, TimeSpan timeout, Action stillAlive)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
                var monitor = new QemuMonitor(socket);
                await monitor.ReadUntilPromptAsync();
                return monitor;
            }
            catch (SocketException) when (clock.Elapsed < timeout)
            {
                // QEMU has not created the socket yet.
                socket.Dispose();
                stillAlive();
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>Presses and releases one key, in QEMU's key names (<c>f8</c>, <c>down</c>, <c>ret</c>).</summary>
    public Task SendKeyAsync(string key) => CommandAsync($"sendkey {key}");

    public async Task<string> CommandAsync(string command)
    {
        await _socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"));
        return await ReadUntilPromptAsync();
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> ReadUntilPromptAsync()
    {
        using var limit = new CancellationTokenSource(ReplyTimeout);
        var text = new StringBuilder();
        while (!text.ToString().EndsWith(Prompt, StringComparison.Ordinal))
        {
            var read = await _socket.ReceiveAsync(_buffer, SocketFlags.None, limit.Token);
            if (read == 0)
            {
                throw new IOException("QEMU closed its monitor");
            }
            text.Append(Encoding.ASCII.GetString(_buffer, 0, read));
        }
        return text.ToString();
    }
}
