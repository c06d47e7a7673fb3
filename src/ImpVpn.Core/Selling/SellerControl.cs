using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ImpVpn.Core.Diagnostics;

namespace ImpVpn.Core.Selling;

/// <summary>
/// A running seller's control channel: a Unix domain socket, <c>seller.sock</c> in the store's root (a folder only
/// its owner may enter, so only the owner's processes reach it), answering one line of JSON with one line of JSON:
/// <c>{"op":"status"}</c> gives <see cref="SellerStatus"/>, <c>{"op":"stop","withdraw":bool}</c> asks the seller to
/// stop. It lets another process (Get- and Stop- companions of a seller running in the foreground elsewhere) see and
/// stop the seller without taking its role. Bounded: at most <see cref="MaxClients"/> clients at a time, a request of
/// at most <see cref="MaxRequestBytes"/>, read and answered within <see cref="ExchangeTimeout"/>; whatever else a
/// client sends is refused and its connection closed, and the seller goes on. Whatever goes wrong with one client
/// (even an exception nobody expected) costs only that client's connection.
/// </summary>
public sealed class SellerControl : IAsyncDisposable
{
    public const string SocketName = "seller.sock";

    /// <summary>Far more than any request takes; a client sending more is not one of ours.</summary>
    public const int MaxRequestBytes = 1024;

    /// <summary>Clients served at once: one that stalls must not make the others wait out its
    /// <see cref="ExchangeTimeout"/>, and a few are all an operator's companions ever open.</summary>
    public const int MaxClients = 4;

    /// <summary>How long one client may take to send its request and read the answer.</summary>
    public static readonly TimeSpan ExchangeTimeout = TimeSpan.FromSeconds(5);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Socket _listener;
    private readonly string _path;
    private readonly Func<SellerStatus> _status;
    private readonly Action<bool> _stop;
    private readonly IProgressLog _log;
    private readonly CancellationTokenSource _closing = new();
    private readonly SemaphoreSlim _slots = new(MaxClients, MaxClients);
    private readonly Task _serving;

    private SellerControl(Socket listener, string path, Func<SellerStatus> status, Action<bool> stop, IProgressLog log)
    {
        _listener = listener;
        _path = path;
        _status = status;
        _stop = stop;
        _log = log;
        _serving = Task.Run(ServeAsync);
    }

    public static string SocketPath(string storeRoot) => Path.Combine(storeRoot, SocketName);

    /// <summary>Listens on the store's socket. The caller holds the store's seller role, so a socket file already
    /// there was left by a seller that died: it is replaced. Where no socket can be made (a store path too long for a
    /// socket address, a file system without them), the seller runs without one: reported, and it is then seen as
    /// not running by other processes.</summary>
    public static SellerControl? TryListen(string storeRoot, Func<SellerStatus> status, Action<bool> stop, IProgressLog log)
    {
        var path = SocketPath(storeRoot);
        Socket? listener = null;
        try
        {
            File.Delete(path);
            listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
            {
                // The store's folder keeps others out already; the socket itself is owner-only too, whatever the
                // umask made of it, so a folder opened up later does not open the seller's controls with it.
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            listener.Listen(MaxClients);
            return new SellerControl(listener, path, status, stop, log);
        }
        catch (Exception e) when (e is SocketException or IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            listener?.Dispose();
            log.Log(LogLevel.Warning, $"No control socket at {path} ({e.Message}): other processes will not see this seller running, nor be able to stop it.");
            return null;
        }
    }

    /// <summary>Stops listening, ends the exchanges under way and removes the socket file. Never throws: it runs
    /// while a seller stops, and nothing here may keep the rest of that stop from happening.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _closing.CancelAsync().ConfigureAwait(false);
            _listener.Dispose();
            await _serving.ConfigureAwait(false);
            // Every client's exchange is cancelled by now; taking every slot waits for them to end.
            for (var i = 0; i < MaxClients; i++)
            {
                await _slots.WaitAsync().ConfigureAwait(false);
            }

            _slots.Dispose();
            _closing.Dispose();
            File.Delete(_path);
        }
        catch (Exception e)
        {
            _log.Log(LogLevel.Warning, $"Closing the control socket {_path} failed: {e.Message}");
        }
    }

    private async Task ServeAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            Socket client;
            try
            {
                await _slots.WaitAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                client = await _listener.AcceptAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                _slots.Release();
                if (_closing.IsCancellationRequested)
                {
                    return;
                }

                _log.Log(LogLevel.Debug, $"Control socket: {e.Message}");
                continue;
            }

            _ = Task.Run(() => ServeClientAsync(client));
        }
    }

    private async Task ServeClientAsync(Socket client)
    {
        try
        {
            using (client)
            {
                using var exchange = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
                exchange.CancelAfter(ExchangeTimeout);
                await AnswerAsync(client, exchange.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // A client that went away or took too long costs only its own connection.
            _log.Log(LogLevel.Debug, $"Control socket client dropped: {e.Message}");
        }
        catch (Exception e)
        {
            // Anything else (the status failing, say) is a fault of ours, but still one client's: the listener
            // must go on serving the next, or the seller could no longer be seen or stopped from outside.
            _log.Log(LogLevel.Warning, $"Control socket: answering a client failed: {e}");
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task AnswerAsync(Socket client, CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(client, MaxRequestBytes, cancellationToken).ConfigureAwait(false);
        var request = line is null ? null : Parse(line);
        Action? after = null;
        object answer = request switch
        {
            null => new Answer(false, Error: line is null ? $"A request is one line of at most {MaxRequestBytes} bytes." : "Not a request: send {\"op\":\"status\"} or {\"op\":\"stop\",\"withdraw\":false}."),
            { Op: "status" } => new Answer(true, Status: _status()),
            { Op: "stop" } => new Answer(true, Stopping: true),
            _ => new Answer(false, Error: $"Unknown op '{request.Op}'."),
        };
        if (request is { Op: "stop" })
        {
            // Off this loop: the stop may run the seller's shutdown on the calling thread, and that shutdown waits
            // for this loop to end.
            var withdraw = request.Withdraw;
            after = () => _ = Task.Run(() => _stop(withdraw));
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(answer, Json);
        await client.SendAsync(bytes.Append((byte)'\n').ToArray(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        // The answer first: the seller may stop before a slower client reads it otherwise.
        after?.Invoke();
    }

    /// <summary>The first line the other side sends, without its newline; null when it sends more than
    /// <paramref name="maxBytes"/> before one, or closes first. Both sides read this way, so neither can be made to
    /// hold more than that.</summary>
    internal static async Task<string?> ReadLineAsync(Socket socket, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxBytes + 1];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            var end = Array.IndexOf(buffer, (byte)'\n', filled, read);
            filled += read;
            if (end >= 0)
            {
                return end <= maxBytes ? Encoding.UTF8.GetString(buffer, 0, end) : null;
            }
        }

        return null;
    }

    private static Request? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<Request>(line, Json) is { Op: { Length: > 0 } } request ? request : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal sealed record Request(string? Op, bool Withdraw = false);

    internal sealed record Answer(bool Ok, string? Error = null, SellerStatus? Status = null, bool? Stopping = null);
}
