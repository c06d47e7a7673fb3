using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using ImpVpn.Lnd.Rpc.Invoicesrpc;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.Lnd.Rpc.Routerrpc;
using static ImpVpn.Core.Lightning.Lnd.LndModelMapper;

namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>
/// The operator's LND node over gRPC (Grpc.Net.Client, HTTP/2 over TLS pinned to tls.cert, macaroon in the
/// `macaroon` metadata as hex). Works unchanged against a real LND and ImpVpn's simulator. Opened from files, it reads
/// tls.cert and the macaroon again when a call fails on them (LND regenerated its certificate, a macaroon was baked
/// anew) and makes that call once more over a new channel; the macaroon is never logged or shown.
/// Besides <see cref="ILightningNode"/> it offers a few LND calls ImpVpn itself does not use (AddInvoice, ChannelBalance,
/// the invoice subscriptions, Sign/VerifyMessage, OpenChannelSync): the simulator's tests and the demo need them.
/// </summary>
public sealed class LndNode : ILightningNode
{
    /// <summary>The largest answer taken from LND: LND's own limit (lnrpc.MaxGrpcMsgSize, 200 MB), so a mainnet
    /// DescribeGraph that LND sends is also received.</summary>
    public const int MaxReceiveMessageSize = 200 * 1024 * 1024;

    private readonly object _gate = new();

    // The channel and clients over the credentials read last; replaced when LND's tls.cert or macaroon changed on disk
    // (Reconnected). Channels replaced are disposed with the node, not at once: calls may still be running on them.
    private Connection _connection;
    private readonly List<Connection> _replaced = [];

    // Set once disposed: a call failing afterwards must not open a connection that nothing would dispose.
    private bool _disposed;

    private LndNode(LndConnectionOptions options)
    {
        _connection = new Connection(options);
    }

    /// <summary>The node's answer to GetInfo when it was opened with <see cref="ConnectAsync"/>.</summary>
    public NodeInfo? Info { get; private set; }

    /// <summary>Creates a client without contacting the node.</summary>
    public static LndNode Create(LndConnectionOptions options) => new(options);

    /// <summary>Opens the node and checks it is usable: reachable, the certificate and macaroon accepted,
    /// on the expected network (when one is given) and synced to the chain (when asked).</summary>
    public static async Task<LndNode> ConnectAsync(
        LndConnectionOptions options, bool requireSynced, CancellationToken cancellationToken)
    {
        var node = new LndNode(options);
        try
        {
            var info = await node.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            if (options.Network is { } expected && !string.Equals(expected, info.Network, StringComparison.OrdinalIgnoreCase))
            {
                throw new WrongNetworkException(expected, info.Network);
            }

            if (requireSynced && !info.SyncedToChain)
            {
                throw new NodeNotSyncedException(info.IdentityPubKey, info.BlockHeight);
            }

            node.Info = info;
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override string ToString() => _connection.Options.ToString();

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
            _connection.Dispose();
            foreach (var old in _replaced)
            {
                old.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    public async Task<NodeInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        ToNodeInfo(await CallAsync("GetInfo", (c, o) => c.Lightning.GetInfoAsync(new GetInfoRequest(), o), cancellationToken).ConfigureAwait(false));

    public async Task ConnectPeerAsync(string pubKey, string hostPort, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("ConnectPeer", (c, o) => c.Lightning.ConnectPeerAsync(
                new ConnectPeerRequest { Addr = new LightningAddress { Pubkey = pubKey, Host = hostPort }, Timeout = 30 }, o),
                cancellationToken).ConfigureAwait(false);
        }
        catch (LightningRpcException e) when (e.Message.Contains("already connected", StringComparison.OrdinalIgnoreCase))
        {
            // Being connected is what the caller wanted.
        }
    }

    public async Task<IReadOnlyList<PeerInfo>> ListPeersAsync(CancellationToken cancellationToken)
    {
        var response = await CallAsync("ListPeers", (c, o) => c.Lightning.ListPeersAsync(new ListPeersRequest(), o), cancellationToken).ConfigureAwait(false);
        return response.Peers.Select(p => new PeerInfo(p.PubKey, p.Address, p.Inbound)).ToList();
    }

    public async Task<IReadOnlyList<ChannelSummary>> ListChannelsAsync(CancellationToken cancellationToken)
    {
        var response = await CallAsync("ListChannels", (c, o) => c.Lightning.ListChannelsAsync(new ListChannelsRequest(), o), cancellationToken).ConfigureAwait(false);
        return response.Channels.Select(ch => new ChannelSummary(ch.RemotePubkey, ch.Active, ch.Private, ch.Capacity,
            Math.Max(0, ch.LocalBalance - (long)(ch.LocalConstraints?.ChanReserveSat ?? 0)))).ToList();
    }

    public async Task<RouteFeeEstimate> EstimateRouteFeeAsync(RouteFeeQuery query, CancellationToken cancellationToken)
    {
        var request = new RouteFeeRequest();
        if (query.PaymentRequest is { } invoice)
        {
            request.PaymentRequest = invoice;
            // LND probes until this many seconds have passed; 0 would leave its router's default (60 s).
            request.Timeout = (uint)Math.Max(1, query.Timeout.TotalSeconds);
        }
        else
        {
            request.Dest = PubKeyBytes(query.Destination ?? throw new ArgumentException("A probe needs an invoice or a destination.", nameof(query)));
            request.AmtSat = query.AmountSat;
        }

        try
        {
            var response = await CallAsync("EstimateRouteFee", (c, o) => c.Router.EstimateRouteFeeAsync(request, o), cancellationToken).ConfigureAwait(false);
            return new RouteFeeEstimate(response.RoutingFeeMsat, response.TimeLockDelay, (PaymentFailureReason)(int)response.FailureReason);
        }
        catch (LightningRpcException e) when (e.Code == nameof(StatusCode.Unimplemented))
        {
            throw new RouteProbeUnavailableException("The node does not offer route fee estimation (Router.EstimateRouteFee).", e);
        }
        catch (LightningRpcException e) when (query.Destination is not null && e.Code == nameof(StatusCode.Unknown)
            && e.Message.Contains("unable to find a path", StringComparison.OrdinalIgnoreCase))
        {
            // A graph estimate that finds no path is an answer about the route, as an invoice probe's NO_ROUTE is.
            return new RouteFeeEstimate(0, 0, PaymentFailureReason.NoRoute);
        }
        catch (LightningRpcException e)
        {
            // Anything else (LND's "all LSP probe payments failed", a probe that unexpectedly succeeded) says nothing
            // dependable about the route the payment will take.
            throw new RouteProbeUnavailableException($"The node's route fee estimation failed: {e.Message}", e);
        }
    }

    public async Task<GraphNodeInfo?> GetNodeInfoAsync(string pubKey, CancellationToken cancellationToken)
    {
        try
        {
            var info = await CallAsync("GetNodeInfo", (c, o) => c.Lightning.GetNodeInfoAsync(new NodeInfoRequest { PubKey = pubKey }, o), cancellationToken)
                .ConfigureAwait(false);
            return new GraphNodeInfo(info.Node.PubKey, info.Node.Alias, info.Node.Addresses.Select(a => a.Addr).ToList(), (int)info.NumChannels);
        }
        catch (LightningRpcException e) when (e.Code == nameof(StatusCode.NotFound) || e.Message.Contains("unable to find node", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<GraphNode>> ListGraphNodesAsync(CancellationToken cancellationToken)
    {
        var graph = await CallAsync("DescribeGraph", (c, o) => c.Lightning.DescribeGraphAsync(new ChannelGraphRequest(), o), cancellationToken)
            .ConfigureAwait(false);
        return graph.Nodes.Select(n => new GraphNode(n.PubKey, n.Alias, n.Addresses.Select(a => a.Addr).ToList(), n.Features.Keys.ToHashSet())).ToList();
    }

    public async Task SetAnnouncedFeatureAsync(uint featureBit, bool advertise, CancellationToken cancellationToken)
    {
        var request = new ImpVpn.Lnd.Rpc.Peersrpc.NodeAnnouncementUpdateRequest
        {
            FeatureUpdates =
            {
                new ImpVpn.Lnd.Rpc.Peersrpc.UpdateFeatureAction
                {
                    Action = advertise ? ImpVpn.Lnd.Rpc.Peersrpc.UpdateAction.Add : ImpVpn.Lnd.Rpc.Peersrpc.UpdateAction.Remove,
                    // LND's field is the FeatureBit enum; proto3 enums carry any number, which LND reads as the bit.
                    FeatureBit = (FeatureBit)(int)featureBit,
                },
            },
        };
        try
        {
            await CallAsync("UpdateNodeAnnouncement", (c, o) => c.Peers.UpdateNodeAnnouncementAsync(request, o), cancellationToken).ConfigureAwait(false);
        }
        catch (LightningRpcException e) when (e.Message.Contains(advertise ? "bit is already set" : "bit is already unset", StringComparison.Ordinal))
        {
            // LND refuses to add a bit that is set (or remove one that is not): the announcement is already as asked.
        }
    }

    public async Task SendCustomMessageAsync(string pubKey, uint type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("SendCustomMessage", (c, o) => c.Lightning.SendCustomMessageAsync(
                new SendCustomMessageRequest { Peer = PubKeyBytes(pubKey), Type = type, Data = Bytes(data) }, o),
                cancellationToken).ConfigureAwait(false);
        }
        catch (LightningRpcException e) when (e.Code == nameof(StatusCode.NotFound))
        {
            throw new PeerNotConnectedException(pubKey, e);
        }
    }

    public IAsyncEnumerable<CustomMessage> SubscribeCustomMessagesAsync(CancellationToken cancellationToken) =>
        StreamAsync("SubscribeCustomMessages",
            (c, o) => c.Lightning.SubscribeCustomMessages(new SubscribeCustomMessagesRequest(), o),
            m => new CustomMessage(Convert.ToHexString(m.Peer.Span).ToLowerInvariant(), m.Type, m.Data.ToByteArray()),
            cancellationToken);

    public async Task<CreatedInvoice> AddHoldInvoiceAsync(HoldInvoiceRequest request, CancellationToken cancellationToken)
    {
        var message = new AddHoldInvoiceRequest
        {
            Hash = Google.Protobuf.ByteString.CopyFrom(request.PaymentHash),
            Value = request.AmountSat,
            Expiry = request.ExpirySeconds,
            Memo = request.Memo ?? string.Empty,
            CltvExpiry = request.CltvExpiry,
            // Route hints to the node's private channels go into the invoice only when asked (LND's addinvoice).
            Private = request.Private,
        };
        if (request.DescriptionHash is { } hash)
        {
            message.DescriptionHash = Google.Protobuf.ByteString.CopyFrom(hash);
        }

        var response = await CallAsync("AddHoldInvoice", (c, o) => c.Invoices.AddHoldInvoiceAsync(message, o), cancellationToken).ConfigureAwait(false);
        return new CreatedInvoice(response.PaymentRequest, request.PaymentHash, response.AddIndex);
    }

    public Task SettleInvoiceAsync(ReadOnlyMemory<byte> preimage, CancellationToken cancellationToken) =>
        CallAsync("SettleInvoice", (c, o) => c.Invoices.SettleInvoiceAsync(new SettleInvoiceMsg { Preimage = Bytes(preimage) }, o), cancellationToken);

    public Task CancelInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) =>
        CallAsync("CancelInvoice", (c, o) => c.Invoices.CancelInvoiceAsync(new CancelInvoiceMsg { PaymentHash = Bytes(paymentHash) }, o), cancellationToken);

    public async Task<InvoiceInfo?> LookupInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken)
    {
        try
        {
            var invoice = await CallAsync("LookupInvoice", (c, o) => c.Lightning.LookupInvoiceAsync(new PaymentHash { RHash = Bytes(paymentHash) }, o), cancellationToken)
                .ConfigureAwait(false);
            return ToInvoiceInfo(invoice);
        }
        catch (LightningRpcException e) when (e.Code == nameof(StatusCode.NotFound) || e.Message.Contains("unable to locate invoice", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    public async Task<DecodedPaymentRequest> DecodePaymentRequestAsync(string paymentRequest, CancellationToken cancellationToken) =>
        ToDecoded(await CallAsync("DecodePayReq", (c, o) => c.Lightning.DecodePayReqAsync(new PayReqString { PayReq = paymentRequest }, o), cancellationToken)
            .ConfigureAwait(false));

    public async Task<PaymentResult> PayAsync(PaymentOrder order, CancellationToken cancellationToken)
    {
        var request = new SendPaymentRequest
        {
            PaymentRequest = order.PaymentRequest,
            FeeLimitSat = order.FeeLimitSat,
            TimeoutSeconds = (int)Math.Max(1, order.Timeout.TotalSeconds),
            CltvLimit = order.CltvLimit,
        };
        PaymentResult? last = null;
        try
        {
            await foreach (var update in StreamAsync("SendPaymentV2", (c, o) => c.Router.SendPaymentV2(request, o), ToPaymentResult, cancellationToken)
                               .ConfigureAwait(false))
            {
                last = update;
                if (update.Status is PaymentStatus.Succeeded or PaymentStatus.Failed)
                {
                    return update;
                }
            }
        }
        catch (NodeUnreachableException) when (last is not null)
        {
            // The node went away mid-payment (a restart): LND keeps the payment and goes on with it, so it is
            // followed by its hash from here, as any client that lost the SendPaymentV2 stream must.
            // Not a refusal (LightningRpcException): the payment left, so a caller must not take it for one never made.
            return await TrackPaymentAsync(last.PaymentHash, waitForFinal: true, cancellationToken).ConfigureAwait(false)
                ?? throw new NodeUnreachableException(_connection.Options.RpcAddress,
                    $"LND at {_connection.Options.RpcAddress} no longer reports a payment it reported in flight; ask it again later.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        return last ?? throw new LightningRpcException("SendPaymentV2", "Unknown", "the payment stream ended without any update");
    }

    public async Task<PaymentResult?> TrackPaymentAsync(ReadOnlyMemory<byte> paymentHash, bool waitForFinal, CancellationToken cancellationToken)
    {
        var request = new TrackPaymentRequest { PaymentHash = Bytes(paymentHash), NoInflightUpdates = waitForFinal };
        // Waiting for the end, a stream the node's restart cut (or that ended without the final state) is tracked
        // again, all within one restart wait; a few cuts in a row are the node's answer. Never null then: null tells
        // callers the payment was never made.
        var restart = new NodeRestartWait(WaitingForRestart);
        for (var cuts = 0; ; cuts++)
        {
            try
            {
                await foreach (var update in StreamAsync("TrackPaymentV2", (c, o) => c.Router.TrackPaymentV2(request, o), ToPaymentResult, cancellationToken, restart)
                                   .ConfigureAwait(false))
                {
                    if (!waitForFinal || update.Status is PaymentStatus.Succeeded or PaymentStatus.Failed)
                    {
                        return update;
                    }
                }
            }
            catch (LightningRpcException e) when (e.Code == nameof(StatusCode.NotFound))
            {
                return null;
            }
            catch (NodeUnreachableException) when (waitForFinal && cuts < 3 && restart.HasTimeLeft && !cancellationToken.IsCancellationRequested)
            {
                continue;
            }

            // A stream cut short by cancellation says nothing about the payment: null would claim it was never made.
            cancellationToken.ThrowIfCancellationRequested();
            if (!waitForFinal)
            {
                return null;
            }

            if (cuts >= 3)
            {
                throw new NodeUnreachableException(_connection.Options.RpcAddress,
                    $"LND at {_connection.Options.RpcAddress} ended the tracking of payment {Convert.ToHexString(paymentHash.Span).ToLowerInvariant()[..16]}… {cuts + 1} times without its final state.");
            }
        }
    }

    // Calls beyond ILightningNode. ImpVpn's own code does not use them; the tests that hold the simulator to LND's
    // behaviour and the demo do. Move one into ILightningNode when production code needs it.

    /// <summary>AddInvoice: an ordinary invoice whose preimage the node chooses.</summary>
    public async Task<CreatedInvoice> AddInvoiceAsync(InvoiceRequest request, CancellationToken cancellationToken)
    {
        var invoice = new Invoice { Value = request.AmountSat, Expiry = request.ExpirySeconds, Memo = request.Memo ?? string.Empty };
        if (request.DescriptionHash is { } hash)
        {
            invoice.DescriptionHash = Google.Protobuf.ByteString.CopyFrom(hash);
        }

        var response = await CallAsync("AddInvoice", (c, o) => c.Lightning.AddInvoiceAsync(invoice, o), cancellationToken).ConfigureAwait(false);
        return new CreatedInvoice(response.PaymentRequest, response.RHash.ToByteArray(), response.AddIndex);
    }

    /// <summary>Invoices.SubscribeSingleInvoice: the invoice's state each time it changes, starting with its current state,
    /// until cancelled.</summary>
    public IAsyncEnumerable<InvoiceInfo> SubscribeSingleInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) =>
        StreamAsync("SubscribeSingleInvoice",
            (c, o) => c.Invoices.SubscribeSingleInvoice(new SubscribeSingleInvoiceRequest { RHash = Bytes(paymentHash) }, o),
            i => ToInvoiceInfo(i),
            cancellationToken);

    /// <summary>SubscribeInvoices: every invoice added or settled on this node, until cancelled.</summary>
    public IAsyncEnumerable<InvoiceInfo> SubscribeInvoicesAsync(CancellationToken cancellationToken) =>
        StreamAsync("SubscribeInvoices", (c, o) => c.Lightning.SubscribeInvoices(new InvoiceSubscription(), o), i => ToInvoiceInfo(i), cancellationToken);

    /// <summary>ChannelBalance: what this node can spend and receive over its channels.</summary>
    public async Task<ChannelBalanceInfo> GetChannelBalanceAsync(CancellationToken cancellationToken)
    {
        var balance = await CallAsync("ChannelBalance", (c, o) => c.Lightning.ChannelBalanceAsync(new ChannelBalanceRequest(), o), cancellationToken)
            .ConfigureAwait(false);
        return new ChannelBalanceInfo(
            (long)(balance.LocalBalance?.Sat ?? 0), (long)(balance.RemoteBalance?.Sat ?? 0), (long)(balance.PendingOpenLocalBalance?.Sat ?? 0));
    }

    /// <summary>SignMessage with the node's identity key; returns LND's zbase32 signature.</summary>
    public async Task<string> SignMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        (await CallAsync("SignMessage", (c, o) => c.Lightning.SignMessageAsync(new SignMessageRequest { Msg = Bytes(message) }, o), cancellationToken)
            .ConfigureAwait(false)).Signature;

    /// <summary>VerifyMessage: whether the signature is valid and whose key signed it (LND reports valid only for signers
    /// in its graph).</summary>
    public async Task<SignatureCheck> VerifyMessageAsync(ReadOnlyMemory<byte> message, string signature, CancellationToken cancellationToken)
    {
        var response = await CallAsync("VerifyMessage", (c, o) => c.Lightning.VerifyMessageAsync(
            new VerifyMessageRequest { Msg = Bytes(message), Signature = signature }, o), cancellationToken).ConfigureAwait(false);
        return new SignatureCheck(response.Valid, response.Pubkey);
    }

    /// <summary>Opens a channel (OpenChannelSync). On the simulator it opens at once; on a real node it waits for confirmations.</summary>
    public async Task<string> OpenChannelAsync(string pubKey, long localFundingSat, long pushSat, CancellationToken cancellationToken)
    {
        var point = await CallAsync("OpenChannelSync", (c, o) => c.Lightning.OpenChannelSyncAsync(new OpenChannelRequest
        {
            NodePubkey = PubKeyBytes(pubKey),
            LocalFundingAmount = localFundingSat,
            PushSat = pushSat,
        }, o), cancellationToken).ConfigureAwait(false);
        var txid = point.FundingTxidCase == ChannelPoint.FundingTxidOneofCase.FundingTxidStr
            ? point.FundingTxidStr
            : Convert.ToHexString(Enumerable.Reverse(point.FundingTxidBytes.ToByteArray()).ToArray()).ToLowerInvariant();
        return $"{txid}:{point.OutputIndex}";
    }

    /// <summary>Raised each time a call pauses because the node, which answered before, refused the connection (it is
    /// restarting); the call is then made again. For logs and tests.</summary>
    public event Action? NodeRestarting;

    private void WaitingForRestart() => NodeRestarting?.Invoke();

    // Whether the node has answered a call of this client: from then on a refused connection means a restart.
    private volatile bool _answeredOnce;

    private async Task<T> CallAsync<T>(string method, Func<Connection, CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        // A node that answered before and now refuses connections is restarting (an upgrade, a new tls.cert): the call
        // waits for it, bounded. One that never answered is reported at once.
        var restart = new NodeRestartWait(WaitingForRestart);
        while (true)
        {
            var connection = _connection;
            try
            {
                var answer = await call(connection, new CallOptions(cancellationToken: cancellationToken)).ResponseAsync.ConfigureAwait(false);
                _answeredOnce = true;
                return answer;
            }
            catch (RpcException e) when (_answeredOnce && NodeRestartWait.NeverStarted(e))
            {
                // The node refused the connection: nothing of the call reached it, so it is made again once LND is back.
                if (!await restart.AnotherTryAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw LndErrorMapper.Map(e, method, connection.Options, connection.Tls);
                }
            }
            catch (RpcException e)
            {
                return await RetryOnFreshCredentialsAsync(method, call, connection, e, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<T> RetryOnFreshCredentialsAsync<T>(string method, Func<Connection, CallOptions, AsyncUnaryCall<T>> call, Connection connection, RpcException e, CancellationToken cancellationToken)
    {
        if (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        var failure = LndErrorMapper.Map(e, method, connection.Options, connection.Tls);
        if (!IsCredentialFailure(failure) || Reconnected(connection) is not { } fresh)
        {
            throw failure;
        }

        // LND regenerated tls.cert or the macaroon changed: once more with what the files hold now. A second
        // failure is the node's answer.
        try
        {
            return await call(fresh, new CallOptions(cancellationToken: cancellationToken)).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException again) when (again.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException again)
        {
            throw LndErrorMapper.Map(again, method, fresh.Options, fresh.Tls);
        }
    }

    /// <summary>A failure the node's current credentials may cure: the node presented another certificate than the
    /// pinned one, or refused the macaroon.</summary>
    private static bool IsCredentialFailure(LightningException failure) =>
        failure is CertificateMismatchException { Reason: CertificateProblem.DiffersFromPinned } or MacaroonException { Reason: MacaroonProblem.Refused };

    /// <summary>The connection to use after <paramref name="failed"/> failed on its credentials: a new one over
    /// tls.cert and the macaroon read again when they changed on disk (or one another call already made); null when
    /// nothing changed, so the failure stands.</summary>
    private Connection? Reconnected(Connection failed)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            if (!ReferenceEquals(_connection, failed))
            {
                return _connection;
            }

            if (failed.Options.Reread() is not { } options)
            {
                return null;
            }

            _replaced.Add(failed);
            _connection = new Connection(options);
            return _connection;
        }
    }

    /// <summary>Reads a server stream until it ends or the token is cancelled; cancellation ends the sequence quietly.
    /// A stream refused on its credentials before its first item is started once more over credentials read again.</summary>
    private async IAsyncEnumerable<TOut> StreamAsync<TIn, TOut>(
        string method,
        Func<Connection, CallOptions, AsyncServerStreamingCall<TIn>> start,
        Func<TIn, TOut> map,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        NodeRestartWait? restartWait = null)
    {
        var connection = _connection;
        var call = start(connection, new CallOptions(cancellationToken: cancellationToken));
        var received = false;
        var restart = restartWait ?? new NodeRestartWait(WaitingForRestart);
        RpcException? refused = null;
        try
        {
            while (true)
            {
                bool hasNext;
                try
                {
                    hasNext = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                catch (RpcException e) when (!received && _answeredOnce && NodeRestartWait.NeverStarted(e))
                {
                    refused = e;
                    hasNext = false;
                }
                catch (RpcException e)
                {
                    var failure = LndErrorMapper.Map(e, method, connection.Options, connection.Tls);
                    if (received || !IsCredentialFailure(failure) || Reconnected(connection) is not { } fresh)
                    {
                        throw failure;
                    }

                    call.Dispose();
                    connection = fresh;
                    call = start(connection, new CallOptions(cancellationToken: cancellationToken));
                    received = true;
                    continue;
                }

                if (refused is not null)
                {
                    // Refused while the node restarts: the stream never started, so it is started again, bounded.
                    if (!await restart.AnotherTryAsync(cancellationToken).ConfigureAwait(false))
                    {
                        throw LndErrorMapper.Map(refused, method, connection.Options, connection.Tls);
                    }

                    refused = null;
                    call.Dispose();
                    connection = _connection;
                    call = start(connection, new CallOptions(cancellationToken: cancellationToken));
                    continue;
                }

                if (!hasNext)
                {
                    yield break;
                }

                received = true;
                yield return map(call.ResponseStream.Current);
            }
        }
        finally
        {
            call.Dispose();
        }
    }

    /// <summary>One gRPC channel over one reading of tls.cert and the macaroon, and the clients that use it.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly GrpcChannel _channel;

        public Connection(LndConnectionOptions options)
        {
            Options = options;
            Tls = new PinnedCertificateHandler(options.PinnedCertificate);
            _channel = GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions
            {
                HttpHandler = Tls.CreateHandler(),
                MaxReceiveMessageSize = MaxReceiveMessageSize,
            });
            var macaroonHex = Convert.ToHexString(options.Macaroon).ToLowerInvariant();
            var invoker = _channel.Intercept(metadata =>
            {
                metadata.Add("macaroon", macaroonHex);
                return metadata;
            });
            Lightning = new ImpVpn.Lnd.Rpc.Lnrpc.Lightning.LightningClient(invoker);
            Router = new Router.RouterClient(invoker);
            Invoices = new Invoices.InvoicesClient(invoker);
            Peers = new ImpVpn.Lnd.Rpc.Peersrpc.Peers.PeersClient(invoker);
        }

        public LndConnectionOptions Options { get; }

        public PinnedCertificateHandler Tls { get; }

        public ImpVpn.Lnd.Rpc.Lnrpc.Lightning.LightningClient Lightning { get; }

        public Router.RouterClient Router { get; }

        public Invoices.InvoicesClient Invoices { get; }

        public ImpVpn.Lnd.Rpc.Peersrpc.Peers.PeersClient Peers { get; }

        public void Dispose() => _channel.Dispose();
    }
}
