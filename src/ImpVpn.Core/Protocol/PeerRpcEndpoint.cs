using System.Collections.Concurrent;
using System.Text.Json;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Protocol;

/// <summary>Answers one request from a peer. Throw <see cref="ProtocolException"/> to answer with an error.</summary>
public delegate Task<object> PeerRequestHandler(string peerPubKey, JsonElement? parameters, CancellationToken cancellationToken);

/// <summary>
/// JSON-RPC over custom peer messages, both ways, over one subscription to the node's custom messages:
/// <see cref="CallAsync{TResult}"/> for the buyer, <see cref="Handle"/> for the seller. Replies are matched by id
/// and sender; replies to unknown ids are ignored; malformed or unknown requests get an error reply, never a crash.
/// </summary>
public sealed class PeerRpcEndpoint : IAsyncDisposable
{
    private readonly ILightningNode _node;
    private readonly IProgressLog _log;
    private readonly ConcurrentDictionary<string, PendingCall> _pending = new();
    private readonly ConcurrentDictionary<string, PeerRequestHandler> _handlers = new();

    private static readonly TimeSpan InitialRetryPause = TimeSpan.FromMilliseconds(500);

    // Reconnections one call makes when its peer has dropped, before it gives up: a peer that keeps dropping right
    // after each reconnection is not one to wait on for a whole timeout.
    private const int MaxReconnects = 3;

    // Method names are echoed in "unknown method" only when they look like one: short, and printable ASCII.
    private const int MaxEchoedMethodLength = 64;

    // Answers are remembered so that retries of a request are answered, not executed, again; every peer's rate is
    // limited. Both are bounded (PeerRpcLimits), so no peer can make this endpoint hold more than a fixed amount.
    private readonly AnswerCache _answers;
    private readonly RequestRateLimiter _rate;
    private readonly CancellationTokenSource _stop = new();

    // Requests being answered: disposing waits for them, so that whoever owns the endpoint (a seller giving up its
    // store to the next one) knows no handler is still writing.
    private readonly ConcurrentDictionary<Task, bool> _answering = new();
    private Task? _loop;
    private int _disposed;

    public PeerRpcEndpoint(ILightningNode node, IProgressLog? log = null, PeerRpcLimits? limits = null, TimeProvider? clock = null)
    {
        _node = node;
        _log = log ?? NullProgressLog.Instance;
        _answers = new AnswerCache(limits ?? PeerRpcLimits.Default, clock ?? TimeProvider.System);
        _rate = new RequestRateLimiter(limits ?? PeerRpcLimits.Default, clock ?? TimeProvider.System);
    }

    /// <summary>Answers remembered for retries now, and their size in bytes.</summary>
    public (int Count, long Bytes) RememberedAnswers => (_answers.Count, _answers.Bytes);

    /// <summary>Peers whose request rate is being tracked now.</summary>
    public int TrackedPeers => _rate.TrackedPeers;

    public void Handle(string method, PeerRequestHandler handler) => _handlers[method] = handler;

    /// <summary>Starts reading custom messages. Call once, before the first call or request.</summary>
    public void Start()
    {
        _loop ??= Task.Run(() => ReadLoopAsync(_stop.Token));
    }

    /// <summary>Sends a request to a connected peer and waits for its reply.</summary>
    /// <param name="reconnect">connects to the peer again when it is found disconnected (LND refuses the message);
    /// the same request, same id, is then sent again, so a peer that had it already answers it once. At most
    /// <see cref="MaxReconnects"/> times per call, with the growing pauses of the resends between them. Null: a
    /// disconnected peer ends the call.</param>
    /// <exception cref="ProtocolException">The peer answered with an error, or sent a malformed result.</exception>
    /// <exception cref="TimeoutException">No reply within <paramref name="timeout"/>.</exception>
    /// <exception cref="PeerNotConnectedException">The peer is not connected (and reconnecting did not help).</exception>
    public async Task<TResult> CallAsync<TResult>(
        string peerPubKey, string method, object parameters, TimeSpan timeout, CancellationToken cancellationToken,
        Func<CancellationToken, Task>? reconnect = null)
        where TResult : class
    {
        Start();
        var request = JsonRpcCodec.Request(method, parameters);
        var payload = JsonRpcCodec.Encode(request);
        var pending = new PendingCall(peerPubKey.ToLowerInvariant());
        _pending[request.Id!] = pending;
        try
        {
            // Custom messages are fire-and-forget: one can be lost (a subscription not yet open, a peer reconnecting).
            // The same request, same id, is sent again with growing pauses; the other side answers a repeated id with
            // its first answer instead of acting twice, so a retry never accepts or pays twice.
            var deadline = DateTimeOffset.UtcNow + timeout;
            var pause = InitialRetryPause;
            var reconnects = 0;
            JsonRpcEnvelope? reply = null;
            while (reply is null)
            {
                var remaining = deadline - DateTimeOffset.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"{peerPubKey} did not answer {method} within {timeout.TotalSeconds:0} s.");
                }

                // Method, id and size only: payloads can carry a preimage (activate) and are never logged.
                _log.Log(LogLevel.Debug, $"-> {method} to {peerPubKey} (id {request.Id}, {payload.Length} bytes){(pause == InitialRetryPause ? string.Empty : ", again")}.");
                try
                {
                    await _node.SendCustomMessageAsync(peerPubKey, PeerProtocol.MessageType, payload, cancellationToken).ConfigureAwait(false);
                }
                catch (PeerNotConnectedException) when (reconnect is not null && reconnects < MaxReconnects)
                {
                    // The link dropped (before this send, or after an earlier one whose answer was then lost):
                    // connect again and send the same request; the peer answers a repeated id without acting twice.
                    if (reconnects++ > 0)
                    {
                        await Task.Delay(remaining < pause ? remaining : pause, cancellationToken).ConfigureAwait(false);
                        pause *= 2;
                    }

                    _log.Log(LogLevel.Verbose, $"{peerPubKey} is not connected; connecting again to send {method} (id {request.Id}) once more.");
                    await reconnect(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(remaining < pause ? remaining : pause);
                try
                {
                    reply = await pending.Reply.Task.WaitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    pause *= 2;
                }
            }

            _log.Log(LogLevel.Debug, $"<- {(reply.Error is null ? "answer" : "error")} to {method} from {peerPubKey} after {(timeout - (deadline - DateTimeOffset.UtcNow)).TotalMilliseconds:0} ms.");
            if (reply.Error is { } error)
            {
                var code = Enum.IsDefined(typeof(ProtocolErrorCode), error.Code) ? (ProtocolErrorCode)error.Code : ProtocolErrorCode.InternalError;
                throw new ProtocolException(code, $"The seller refused {method}: {error.Message}");
            }

            return JsonRpcCodec.ReadPayload<TResult>(reply.Result);
        }
        finally
        {
            _pending.TryRemove(request.Id!, out _);
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var message in _node.SubscribeCustomMessagesAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (message.Type == PeerProtocol.MessageType)
                    {
                        await OnMessageAsync(message, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (LightningException e)
            {
                // The node went away; try again shortly rather than losing every later reply.
                _log.Log(LogLevel.Warning, $"Custom message subscription lost ({e.Message}); resubscribing.");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task OnMessageAsync(CustomMessage message, CancellationToken cancellationToken)
    {
        var peer = message.PeerPubKey.ToLowerInvariant();
        JsonRpcEnvelope envelope;
        try
        {
            envelope = JsonRpcCodec.Decode(message.Data);
        }
        catch (ProtocolException e)
        {
            _log.Log(LogLevel.Debug, $"Malformed message from {peer}: {e.Message}");
            // Never answer something that looks like a reply: two endpoints would answer each other forever. Beyond
            // its rate a peer's malformed messages are dropped unanswered: nobody waits for them.
            if (!LooksLikeResponse(message.Data) && _rate.TryTake(peer))
            {
                await ReplyAsync(peer, Encoded(JsonRpcCodec.Failure(null, e.Code, e.Message)), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (!envelope.IsRequest)
        {
            if (_pending.TryGetValue(envelope.Id!, out var pending) && pending.Peer == peer)
            {
                pending.Reply.TrySetResult(envelope);
            }
            else
            {
                _log.Log(LogLevel.Debug, $"Ignored a reply from {peer} to an id we never sent.");
            }

            return;
        }

        // A repeated request (the caller's retry) gets the first answer again, or nothing while that is still being
        // made; a repeat costs no rate, since it runs nothing.
        if (!_answers.TryClaim(peer, envelope.Id!, out var earlier))
        {
            if (earlier is not null)
            {
                await ReplyAsync(peer, earlier, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (!_rate.TryTake(peer))
        {
            // Not remembered: the same request may be sent again once the peer's rate allows it.
            _answers.Abandon(peer, envelope.Id!);
            await ReplyAsync(peer, Encoded(JsonRpcCodec.Failure(envelope.Id, ProtocolErrorCode.RateLimited, "Too many requests; slow down.")), cancellationToken).ConfigureAwait(false);
            return;
        }

        var answering = Task.Run(() => AnswerAsync(peer, envelope, cancellationToken), cancellationToken);
        _answering[answering] = true;
        _ = answering.ContinueWith(done => _answering.TryRemove(done, out _), TaskScheduler.Default);
    }

    private async Task AnswerAsync(string peer, JsonRpcEnvelope request, CancellationToken cancellationToken)
    {
        byte[] reply;
        JsonRpcEnvelope answer;
        try
        {
            answer = await MakeAnswerAsync(peer, request, cancellationToken).ConfigureAwait(false);
            reply = Encoded(answer);
        }
        catch
        {
            // No answer was made (the endpoint is stopping): a retry may ask again.
            _answers.Abandon(peer, request.Id!);
            throw;
        }

        if (answer.Error is { } error && Enum.IsDefined(typeof(ProtocolErrorCode), error.Code) && ProtocolErrorCodes.IsNotYet((ProtocolErrorCode)error.Code))
        {
            // "Not yet" is no answer to remember: the same request, asked again, must be run again.
            _answers.Abandon(peer, request.Id!);
        }
        else
        {
            _answers.Complete(peer, request.Id!, reply);
        }

        await ReplyAsync(peer, reply, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonRpcEnvelope> MakeAnswerAsync(string peer, JsonRpcEnvelope request, CancellationToken cancellationToken)
    {
        JsonRpcEnvelope reply;
        if (!_handlers.TryGetValue(request.Method!, out var handler))
        {
            var method = request.Method!;
            reply = JsonRpcCodec.Failure(request.Id, ProtocolErrorCode.MethodNotFound,
                method.Length <= MaxEchoedMethodLength && method.All(c => c is >= ' ' and <= '~') ? $"Unknown method '{method}'." : "Unknown method.");
        }
        else
        {
            try
            {
                reply = JsonRpcCodec.Success(request.Id!, await handler(peer, request.Params, cancellationToken).ConfigureAwait(false));
            }
            catch (ProtocolException e)
            {
                reply = JsonRpcCodec.Failure(request.Id, e.Code, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _log.Log(LogLevel.Warning, $"{request.Method} from {peer} failed: {e.Message}");
                reply = JsonRpcCodec.Failure(request.Id, ProtocolErrorCode.InternalError, "The request failed on the seller's side.");
            }
        }

        return reply;
    }

    // An answer too large for one custom message would otherwise never be sent: the caller gets an error instead.
    private byte[] Encoded(JsonRpcEnvelope reply)
    {
        try
        {
            return JsonRpcCodec.Encode(reply);
        }
        catch (ProtocolException e)
        {
            _log.Log(LogLevel.Warning, $"An answer could not be sent: {e.Message}");
            return JsonRpcCodec.Encode(JsonRpcCodec.Failure(reply.Id, ProtocolErrorCode.InternalError, "The answer is too large to send."));
        }
    }

    private async Task ReplyAsync(string peer, byte[] reply, CancellationToken cancellationToken)
    {
        try
        {
            await _node.SendCustomMessageAsync(peer, PeerProtocol.MessageType, reply, cancellationToken).ConfigureAwait(false);
        }
        catch (LightningException e)
        {
            _log.Log(LogLevel.Verbose, $"Could not answer {peer}: {e.Message}");
        }
    }

    private static bool LooksLikeResponse(byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && (document.RootElement.TryGetProperty("result", out _) || document.RootElement.TryGetProperty("error", out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        // Handlers stop at their next cancellable step; what they recorded before it is complete (each writes its
        // record before the next irreversible step), and none is left running once this returns.
        try
        {
            await Task.WhenAll(_answering.Keys).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Shutting down: a handler's failure was already answered or logged; it must not stop the disposal.
            _log.Log(LogLevel.Debug, $"A request still being answered at shutdown ended: {e.Message}");
        }

        _stop.Dispose();
    }

    private sealed class PendingCall(string peer)
    {
        public string Peer { get; } = peer;

        public TaskCompletionSource<JsonRpcEnvelope> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
