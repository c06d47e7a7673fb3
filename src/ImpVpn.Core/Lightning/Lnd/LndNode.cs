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
/// `macaroon` metadata as hex). Works unchanged against a real LND and ImpVpn's simulator.
/// Besides <see cref="ILightningNode"/> it offers a few LND calls ImpVpn itself does not use (AddInvoice, ChannelBalance,
/// the invoice subscriptions, Sign/VerifyMessage, OpenChannelSync): the simulator's tests and the demo need them.
/// </summary>
public sealed class LndNode : ILightningNode
{
    private readonly LndConnectionOptions _options;
    private readonly PinnedCertificateHandler _tls;
    private readonly GrpcChannel _channel;
    private readonly ImpVpn.Lnd.Rpc.Lnrpc.Lightning.LightningClient _lightning;
    private readonly Router.RouterClient _router;
    private readonly Invoices.InvoicesClient _invoices;

    private LndNode(LndConnectionOptions options)
    {
        _options = options;
        _tls = new PinnedCertificateHandler(options.PinnedCertificate);
        _channel = GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions
        {
            HttpHandler = _tls.CreateHandler(),
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        var macaroonHex = Convert.ToHexString(options.Macaroon).ToLowerInvariant();
        var invoker = _channel.Intercept(metadata =>
        {
            metadata.Add("macaroon", macaroonHex);
            return metadata;
        });
        _lightning = new ImpVpn.Lnd.Rpc.Lnrpc.Lightning.LightningClient(invoker);
        _router = new Router.RouterClient(invoker);
        _invoices = new Invoices.InvoicesClient(invoker);
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

    public override string ToString() => _options.ToString();

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    public async Task<NodeInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        ToNodeInfo(await CallAsync("GetInfo", o => _lightning.GetInfoAsync(new GetInfoRequest(), o), cancellationToken).ConfigureAwait(false));

    public async Task ConnectPeerAsync(string pubKey, string hostPort, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("ConnectPeer", o => _lightning.ConnectPeerAsync(
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
        var response = await CallAsync("ListPeers", o => _lightning.ListPeersAsync(new ListPeersRequest(), o), cancellationToken).ConfigureAwait(false);
        return response.Peers.Select(p => new PeerInfo(p.PubKey, p.Address, p.Inbound)).ToList();
    }

    public async Task<GraphNodeInfo?> GetNodeInfoAsync(string pubKey, CancellationToken cancellationToken)
    {
        try
        {
            var info = await CallAsync("GetNodeInfo", o => _lightning.GetNodeInfoAsync(new NodeInfoRequest { PubKey = pubKey }, o), cancellationToken)
                .ConfigureAwait(false);
            return new GraphNodeInfo(info.Node.PubKey, info.Node.Alias, info.Node.Addresses.Select(a => a.Addr).ToList(), (int)info.NumChannels);
        }
        catch (LightningRpcException e) when (e.Code == nameof(StatusCode.NotFound) || e.Message.Contains("unable to find node", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    public async Task SendCustomMessageAsync(string pubKey, uint type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("SendCustomMessage", o => _lightning.SendCustomMessageAsync(
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
            o => _lightning.SubscribeCustomMessages(new SubscribeCustomMessagesRequest(), o),
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
        };
        if (request.DescriptionHash is { } hash)
        {
            message.DescriptionHash = Google.Protobuf.ByteString.CopyFrom(hash);
        }

        var response = await CallAsync("AddHoldInvoice", o => _invoices.AddHoldInvoiceAsync(message, o), cancellationToken).ConfigureAwait(false);
        return new CreatedInvoice(response.PaymentRequest, request.PaymentHash, response.AddIndex);
    }

    public Task SettleInvoiceAsync(ReadOnlyMemory<byte> preimage, CancellationToken cancellationToken) =>
        CallAsync("SettleInvoice", o => _invoices.SettleInvoiceAsync(new SettleInvoiceMsg { Preimage = Bytes(preimage) }, o), cancellationToken);

    public Task CancelInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) =>
        CallAsync("CancelInvoice", o => _invoices.CancelInvoiceAsync(new CancelInvoiceMsg { PaymentHash = Bytes(paymentHash) }, o), cancellationToken);

    public async Task<InvoiceInfo?> LookupInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken)
    {
        try
        {
            var invoice = await CallAsync("LookupInvoice", o => _lightning.LookupInvoiceAsync(new PaymentHash { RHash = Bytes(paymentHash) }, o), cancellationToken)
                .ConfigureAwait(false);
            return ToInvoiceInfo(invoice);
        }
        catch (LightningRpcException e) when (e.Code == nameof(StatusCode.NotFound) || e.Message.Contains("unable to locate invoice", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    public async Task<DecodedPaymentRequest> DecodePaymentRequestAsync(string paymentRequest, CancellationToken cancellationToken) =>
        ToDecoded(await CallAsync("DecodePayReq", o => _lightning.DecodePayReqAsync(new PayReqString { PayReq = paymentRequest }, o), cancellationToken)
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
        await foreach (var update in StreamAsync("SendPaymentV2", o => _router.SendPaymentV2(request, o), ToPaymentResult, cancellationToken)
                           .ConfigureAwait(false))
        {
            last = update;
            if (update.Status is PaymentStatus.Succeeded or PaymentStatus.Failed)
            {
                return update;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return last ?? throw new LightningRpcException("SendPaymentV2", "Unknown", "the payment stream ended without any update");
    }

    public async Task<PaymentResult?> TrackPaymentAsync(ReadOnlyMemory<byte> paymentHash, bool waitForFinal, CancellationToken cancellationToken)
    {
        var request = new TrackPaymentRequest { PaymentHash = Bytes(paymentHash), NoInflightUpdates = waitForFinal };
        try
        {
            await foreach (var update in StreamAsync("TrackPaymentV2", o => _router.TrackPaymentV2(request, o), ToPaymentResult, cancellationToken)
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

        // A stream cut short by cancellation says nothing about the payment: null would claim it was never made.
        cancellationToken.ThrowIfCancellationRequested();
        return null;
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

        var response = await CallAsync("AddInvoice", o => _lightning.AddInvoiceAsync(invoice, o), cancellationToken).ConfigureAwait(false);
        return new CreatedInvoice(response.PaymentRequest, response.RHash.ToByteArray(), response.AddIndex);
    }

    /// <summary>Invoices.SubscribeSingleInvoice: the invoice's state each time it changes, starting with its current state,
    /// until cancelled.</summary>
    public IAsyncEnumerable<InvoiceInfo> SubscribeSingleInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) =>
        StreamAsync("SubscribeSingleInvoice",
            o => _invoices.SubscribeSingleInvoice(new SubscribeSingleInvoiceRequest { RHash = Bytes(paymentHash) }, o),
            i => ToInvoiceInfo(i),
            cancellationToken);

    /// <summary>SubscribeInvoices: every invoice added or settled on this node, until cancelled.</summary>
    public IAsyncEnumerable<InvoiceInfo> SubscribeInvoicesAsync(CancellationToken cancellationToken) =>
        StreamAsync("SubscribeInvoices", o => _lightning.SubscribeInvoices(new InvoiceSubscription(), o), i => ToInvoiceInfo(i), cancellationToken);

    /// <summary>ChannelBalance: what this node can spend and receive over its channels.</summary>
    public async Task<ChannelBalanceInfo> GetChannelBalanceAsync(CancellationToken cancellationToken)
    {
        var balance = await CallAsync("ChannelBalance", o => _lightning.ChannelBalanceAsync(new ChannelBalanceRequest(), o), cancellationToken)
            .ConfigureAwait(false);
        return new ChannelBalanceInfo(
            (long)(balance.LocalBalance?.Sat ?? 0), (long)(balance.RemoteBalance?.Sat ?? 0), (long)(balance.PendingOpenLocalBalance?.Sat ?? 0));
    }

    /// <summary>SignMessage with the node's identity key; returns LND's zbase32 signature.</summary>
    public async Task<string> SignMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        (await CallAsync("SignMessage", o => _lightning.SignMessageAsync(new SignMessageRequest { Msg = Bytes(message) }, o), cancellationToken)
            .ConfigureAwait(false)).Signature;

    /// <summary>VerifyMessage: whether the signature is valid and whose key signed it (LND reports valid only for signers
    /// in its graph).</summary>
    public async Task<SignatureCheck> VerifyMessageAsync(ReadOnlyMemory<byte> message, string signature, CancellationToken cancellationToken)
    {
        var response = await CallAsync("VerifyMessage", o => _lightning.VerifyMessageAsync(
            new VerifyMessageRequest { Msg = Bytes(message), Signature = signature }, o), cancellationToken).ConfigureAwait(false);
        return new SignatureCheck(response.Valid, response.Pubkey);
    }

    /// <summary>Opens a channel (OpenChannelSync). On the simulator it opens at once; on a real node it waits for confirmations.</summary>
    public async Task<string> OpenChannelAsync(string pubKey, long localFundingSat, long pushSat, CancellationToken cancellationToken)
    {
        var point = await CallAsync("OpenChannelSync", o => _lightning.OpenChannelSyncAsync(new OpenChannelRequest
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

    private async Task<T> CallAsync<T>(string method, Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(new CallOptions(cancellationToken: cancellationToken)).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw LndErrorMapper.Map(e, method, _options, _tls);
        }
    }

    /// <summary>Reads a server stream until it ends or the token is cancelled; cancellation ends the sequence quietly.</summary>
    private async IAsyncEnumerable<TOut> StreamAsync<TIn, TOut>(
        string method,
        Func<CallOptions, AsyncServerStreamingCall<TIn>> start,
        Func<TIn, TOut> map,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = start(new CallOptions(cancellationToken: cancellationToken));
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
            catch (RpcException e)
            {
                throw LndErrorMapper.Map(e, method, _options, _tls);
            }

            if (!hasNext)
            {
                yield break;
            }

            yield return map(call.ResponseStream.Current);
        }
    }
}
