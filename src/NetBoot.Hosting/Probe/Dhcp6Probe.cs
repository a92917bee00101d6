using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Probe;

/// <summary>How <c>probe --ipv6</c> ended, for the exit code.</summary>
public enum Dhcp6ProbeOutcome
{
    /// <summary>Address assigned and the boot file fetched (or fetching was not asked for).</summary>
    Booted,
    /// <summary>No ADVERTISE with an address, or no REPLY to the REQUEST, within the wait.</summary>
    NoAnswer,
    /// <summary>The REPLY refused the address (a status code), or the answers carry no usable bootfile-url.</summary>
    Refused,
    /// <summary>The boot file could not be fetched (TFTP error, HTTP status, no route).</summary>
    BootFileFailed,
}

/// <summary>What <c>probe --ipv6</c> saw and did.</summary>
public sealed record Dhcp6ProbeResult(
    Duid ClientId,
    IPAddress LinkLocal,
    ImmutableArray<Dhcp6ProbeOffer> Advertises,
    Dhcp6ProbeOffer? Chosen,
    Dhcp6ProbeOffer? Reply,
    Dhcp6BootTarget? Target,
    Dhcp6BootFetch? Fetch,
    Dhcp6ProbeOutcome Outcome,
    string? Problem);

/// <summary>The boot file fetched whole: bytes, time, and for TFTP what was negotiated.</summary>
public sealed record Dhcp6BootFetch(bool IsSuccess, long Bytes, TimeSpan Duration, int? BlockSize, int? WindowSize, string? Error)
{
    public double MegabytesPerSecond => Bytes / Math.Max(Duration.TotalSeconds, 1e-6) / 1e6;
}

/// <summary><c>netboot probe --ipv6</c> on the wire: acts as UEFI PXEv6 firmware on one interface. From the interface's
/// link-local address (port 546) it sends a SOLICIT to All_DHCP_Relay_Agents_and_Servers (ff02::1:2, port 547), collects
/// ADVERTISEs for its first retransmission time (1 s; retransmitting within the wait while none came; at once on one of
/// preference 255, RFC 8415 §18.2.1), REQUESTs the chosen address, and fetches
/// the boot file of the REPLY's bootfile-url whole: by TFTP with blksize 1228 and windowsize 4 (what EDK2 asks), or by
/// HTTP. It does not configure the assigned address on the interface: the fetch needs a route to the server (an address
/// of the interface's own in its prefix), as the IPv4 probe needs an address of its own.</summary>
public sealed class Dhcp6Probe(HostInterface nic, HardwareAddress mac, TimeSpan wait, TimeProvider time)
{
    public const int ClientPort = 546;
    public const int ServerPort = 547;

    /// <summary>EDK2's PXEv6 TFTP options (issue 19: observed from OVMF 2022.11 against dnsmasq).</summary>
    public const int FirmwareBlockSize = 1228;
    public const int FirmwareWindowSize = 4;

    /// <summary>RFC 8415 §7.1: All_DHCP_Relay_Agents_and_Servers.</summary>
    private static readonly IPAddress AllServers = IPAddress.Parse("ff02::1:2");

    /// <summary>How long a link-local address just made may stay tentative (duplicate address detection, about a second).</summary>
    private static readonly TimeSpan DadPatience = TimeSpan.FromSeconds(5);

    public Duid ClientId { get; } = Dhcp6ProbeProfile.ClientDuid(mac);

    /// <summary>Whether to fetch the boot file (on by default).</summary>
    public bool FetchesBootFile { get; init; } = true;

    public async Task<Dhcp6ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        var linkLocal = LinkLocalAddress(nic) ?? throw new InvalidOperationException(
            $"{nic.Name} has no IPv6 link-local address to send from (is IPv6 disabled on it? sysctl net.ipv6.conf.{nic.Name}.disable_ipv6)");
        using var socket = await OpenAsync(linkLocal, cancellationToken).ConfigureAwait(false);
        var started = time.GetTimestamp();
        var iaid = (uint)nic.Index;
        var solicitId = NewTransactionId();
        var advertises = await ExchangeAsync(socket, elapsed => Dhcp6ProbeProfile.Solicit(ClientId, iaid, solicitId, elapsed), started,
            Dhcp6MessageType.Advertise, solicitId, offer => offer.Preference == byte.MaxValue && offer.Address is not null, cancellationToken).ConfigureAwait(false);
        var result = new Dhcp6ProbeResult(ClientId, linkLocal, advertises, null, null, null, null, Dhcp6ProbeOutcome.NoAnswer, null);
        if (Dhcp6ProbeProfile.Choose(advertises) is not { } chosen)
        {
            var seconds = wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            return result with
            {
                Problem = advertises.IsEmpty
                    ? $"no ADVERTISE within {seconds} s (is a DHCPv6 server on {nic.Name}'s link, with a dhcp-range for it?)"
                    : $"{advertises.Length} ADVERTISE(s) within {seconds} s, none offering an address (status: {string.Join(", ", advertises.Select(a => a.Failure?.Code.ToString() ?? "none"))})",
            };
        }
        result = result with { Chosen = chosen };
        var requestId = NewTransactionId();
        var replies = await ExchangeAsync(socket, elapsed => Dhcp6ProbeProfile.Request(ClientId, iaid, requestId, elapsed, chosen), started,
            Dhcp6MessageType.Reply, requestId, _ => true, cancellationToken).ConfigureAwait(false);
        if (replies.IsEmpty)
        {
            return result with { Problem = $"no REPLY to the REQUEST for {chosen.Address} within {wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s" };
        }
        var reply = replies[0];
        result = result with { Reply = reply };
        if (reply.Address is null || reply.Failure is not null)
        {
            return result with
            {
                Outcome = Dhcp6ProbeOutcome.Refused,
                Problem = $"the REPLY assigns no address: {reply.Failure?.Code.ToString() ?? "no IA_NA address"} {reply.Failure?.Message}".TrimEnd(),
            };
        }
        // EDK2 boots from what the REPLY says, falling back on the ADVERTISE it chose.
        if (Dhcp6ProbeProfile.ParseBootfileUrl(reply.BootfileUrl ?? chosen.BootfileUrl, out var problem) is not { } target)
        {
            return result with { Outcome = Dhcp6ProbeOutcome.Refused, Problem = problem };
        }
        result = result with { Target = target };
        if (!FetchesBootFile)
        {
            return result with { Outcome = Dhcp6ProbeOutcome.Booted };
        }
        var fetch = target.IsHttp
            ? await HttpGetAsync(target, cancellationToken).ConfigureAwait(false)
            : await Task.Run(() => TftpGet(target), cancellationToken).ConfigureAwait(false);
        return result with
        {
            Fetch = fetch,
            Outcome = fetch.IsSuccess ? Dhcp6ProbeOutcome.Booted : Dhcp6ProbeOutcome.BootFileFailed,
            Problem = fetch.IsSuccess ? null : $"cannot fetch {target.Url}: {fetch.Error}",
        };
    }

    /// <summary>The interface's link-local address, with its scope (the interface index).</summary>
    internal static IPAddress? LinkLocalAddress(HostInterface nic)
    {
        ArgumentNullException.ThrowIfNull(nic);
        return nic.IPv6Addresses.IsDefaultOrEmpty || nic.IPv6Addresses.FirstOrDefault(a => a.Address.IsLinkLocal) is not { Address.IsZero: false } found
            ? null
            : new IPAddress(found.Address.ToBytes(), nic.Index);
    }

    /// <summary>Port 546 on the link-local address. A link-local address made a moment ago is tentative (duplicate address
    /// detection) and cannot be bound yet: retried, bounded.</summary>
    private async Task<Socket> OpenAsync(IPAddress linkLocal, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(DadPatience.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, nic.Index);
                socket.Bind(new IPEndPoint(linkLocal, ClientPort));
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable && time.GetTimestamp() < deadline)
            {
                socket.Dispose();
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private static uint NewTransactionId() => (uint)RandomNumberGenerator.GetInt32((int)Dhcp6Message.MaximumTransactionId + 1);

    private async Task SendAsync(Socket socket, Dhcp6Message message, CancellationToken cancellationToken) =>
        await socket.SendToAsync(Dhcp6MessageEncoder.Encode(message), new IPEndPoint(new IPAddress(AllServers.GetAddressBytes(), nic.Index), ServerPort),
            cancellationToken).ConfigureAwait(false);

    /// <summary>RFC 8415 §18.2.1, §18.2.2 (SOL_TIMEOUT, REQ_TIMEOUT): the first retransmission after a second.</summary>
    private static readonly TimeSpan InitialRetransmission = TimeSpan.FromSeconds(1);

    /// <summary>Sends a message and collects the answers of type <paramref name="expected"/> to it: retransmitted (the
    /// same transaction, the elapsed time updated) after 1 s, 2 s, 4 s… while nothing came, as firmware does (RFC 8415
    /// §15), until an answer satisfies <paramref name="enough"/>, a retransmission time passes with answers in hand, or
    /// the probe's wait is over.</summary>
    private async Task<ImmutableArray<Dhcp6ProbeOffer>> ExchangeAsync(Socket socket, Func<TimeSpan, Dhcp6Message> build, long started,
        Dhcp6MessageType expected, uint transactionId, Func<Dhcp6ProbeOffer, bool> enough, CancellationToken cancellationToken)
    {
        var answers = ImmutableArray.CreateBuilder<Dhcp6ProbeOffer>();
        var begun = time.GetTimestamp();
        var retransmission = InitialRetransmission;
        while (true)
        {
            await SendAsync(socket, build(time.GetElapsedTime(started)), cancellationToken).ConfigureAwait(false);
            var left = wait - time.GetElapsedTime(begun);
            var round = retransmission < left ? retransmission : left;
            if (await CollectAsync(socket, expected, transactionId, enough, round, answers, cancellationToken).ConfigureAwait(false)
                || answers.Count > 0 || round == left)
            {
                return answers.ToImmutable();
            }
            retransmission *= 2;
        }
    }

    /// <summary>Adds the answers of type <paramref name="expected"/> to this transaction, in arrival order, for
    /// <paramref name="period"/>; true as soon as one satisfies <paramref name="enough"/>. Anything else on the port is
    /// ignored (RFC 8415 §16).</summary>
    private async Task<bool> CollectAsync(Socket socket, Dhcp6MessageType expected, uint transactionId, Func<Dhcp6ProbeOffer, bool> enough,
        TimeSpan period, ImmutableArray<Dhcp6ProbeOffer>.Builder answers, CancellationToken cancellationToken)
    {
        if (period <= TimeSpan.Zero)
        {
            return false;
        }
        using var timeout = new CancellationTokenSource(period, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var buffer = new byte[4096];
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            if (!Dhcp6MessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var packet, out _)
                || Dhcp6ProbeProfile.Read(packet, expected, transactionId, ClientId, ((IPEndPoint)received.RemoteEndPoint).Address) is not { } answer)
            {
                continue;
            }
            answers.Add(answer);
            if (enough(answer))
            {
                return true;
            }
        }
    }

    /// <summary>The whole file by TFTP, as EDK2 asks it (blksize 1228, windowsize 4, tsize).</summary>
    private Dhcp6BootFetch TftpGet(Dhcp6BootTarget target)
    {
        var server = target.TftpServer!;
        if (server.Address.IsIPv6LinkLocal)
        {
            server = new IPEndPoint(new IPAddress(server.Address.GetAddressBytes(), nic.Index), server.Port);
        }
        var counter = new CountingStream();
        try
        {
            var got = TftpClient.Get(new TftpClientRequest(server, target.Path, FirmwareBlockSize, FirmwareWindowSize, AskTransferSize: true,
                TimeoutSeconds: (int)Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, 255)), counter);
            return new Dhcp6BootFetch(got.IsSuccess, counter.Length, got.Duration, got.BlockSize, got.WindowSize, got.Error);
        }
        catch (SocketException e)
        {
            return new Dhcp6BootFetch(false, 0, TimeSpan.Zero, null, null, NoRoute(e, server.Address.ToString()));
        }
    }

    private string NoRoute(SocketException e, string server) =>
        e.SocketErrorCode is SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.AddressNotAvailable
            ? $"{e.Message}: no route to {server} from this host (the probe does not configure the address it was assigned; give {nic.Name} an address in the server's prefix)"
            : e.Message;

    /// <summary>The whole file by HTTP GET, from the probe's interface.</summary>
    private async Task<Dhcp6BootFetch> HttpGetAsync(Dhcp6BootTarget target, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.SetRawSocketOption(1, 25, Encoding.ASCII.GetBytes(nic.Name + "\0"));
                    await socket.ConnectAsync(context.DnsEndPoint, token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = wait * 4 };
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(new Uri(target.Url), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return new Dhcp6BootFetch(false, 0, Stopwatch.GetElapsedTime(started), null, null,
                    string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}"));
            }
            var counter = new CountingStream();
            await response.Content.CopyToAsync(counter, cancellationToken).ConfigureAwait(false);
            return new Dhcp6BootFetch(true, counter.Length, Stopwatch.GetElapsedTime(started), null, null, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Dhcp6BootFetch(false, 0, Stopwatch.GetElapsedTime(started), null, null, e.InnerException is SocketException s ? NoRoute(s, new Uri(target.Url).Host) : e.Message);
        }
    }

    /// <summary>Counts what is written and keeps nothing (the probe wants the size and the time, not the file).</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }
}
