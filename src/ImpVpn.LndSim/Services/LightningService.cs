using Google.Protobuf;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Crypto;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>lnrpc.Lightning for one simulated node.</summary>
public sealed partial class LightningService(NodeContext nodeContext) : Lightning.LightningBase
{
    private SimNetwork Net => nodeContext.Network;

    private SimNodeState Me => nodeContext.Node;

    public override Task<GetInfoResponse> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        Task.FromResult(GetInfoAnswer.For(Net, Me));

    public override Task<WalletBalanceResponse> WalletBalance(WalletBalanceRequest request, ServerCallContext context) =>
        Task.FromResult(WalletBalanceAnswer.For(request));

    public override Task<ChannelBalanceResponse> ChannelBalance(ChannelBalanceRequest request, ServerCallContext context)
    {
        var (local, remote) = Net.ChannelBalance(Me.Name);
        return Task.FromResult(new ChannelBalanceResponse
        {
            LocalBalance = new Amount { Sat = (ulong)(local / 1000), Msat = (ulong)local },
            RemoteBalance = new Amount { Sat = (ulong)(remote / 1000), Msat = (ulong)remote },
            UnsettledLocalBalance = new Amount(),
            UnsettledRemoteBalance = new Amount(),
            PendingOpenLocalBalance = new Amount(),
            PendingOpenRemoteBalance = new Amount(),
#pragma warning disable CS0612 // LND marks these deprecated yet still fills them (rpcserver.go ChannelBalance).
            Balance = local / 1000,
            PendingOpenBalance = 0,
#pragma warning restore CS0612
        });
    }

    public override Task<ConnectPeerResponse> ConnectPeer(ConnectPeerRequest request, ServerCallContext context)
    {
        if (request.Addr is null || string.IsNullOrEmpty(request.Addr.Pubkey))
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, "need: lnc pubkeyhash@hostname");
        }

        Net.ConnectByAddress(Me.Name, request.Addr.Pubkey, request.Addr.Host);
        return Task.FromResult(new ConnectPeerResponse { Status = $"connection to {request.Addr.Pubkey}@{request.Addr.Host} initiated" });
    }

    public override Task<ListPeersResponse> ListPeers(ListPeersRequest request, ServerCallContext context) =>
        Task.FromResult(PeerAnswer.For(Net, Me));

    public override Task<ListChannelsResponse> ListChannels(ListChannelsRequest request, ServerCallContext context) =>
        Task.FromResult(ChannelAnswer.For(Net, Me, request));

    public override Task<ChannelPoint> OpenChannelSync(OpenChannelRequest request, ServerCallContext context)
    {
        var target = Net.ByPubKey(Convert.ToHexString(request.NodePubkey.Span)) ?? throw SimErrors.PeerNotConnected();
        if (!Net.Read(() => Me.Peers.Contains(target.Name)))
        {
            throw SimErrors.Of(StatusCode.Unknown, $"peer {target.PubKey} is not online");
        }

        var channel = Net.OpenChannel(Me.Name, target.Name, request.LocalFundingAmount, request.PushSat, isPrivate: request.Private);
        return Task.FromResult(new ChannelPoint { FundingTxidStr = channel.FundingTxid, OutputIndex = 0 });
    }

    public override Task<AddInvoiceResponse> AddInvoice(Invoice request, ServerCallContext context)
    {
        var valueMsat = request.ValueMsat != 0 ? request.ValueMsat : request.Value * 1000;
        var invoice = Net.AddInvoice(Me.Name, valueMsat, request.Memo, request.DescriptionHash.ToByteArray(), request.Expiry, null, request.CltvExpiry, request.Private);
        return Task.FromResult(new AddInvoiceResponse
        {
            RHash = ByteString.CopyFrom(invoice.PaymentHash),
            PaymentRequest = invoice.PaymentRequest,
            AddIndex = invoice.AddIndex,
            PaymentAddr = ByteString.CopyFrom(invoice.PaymentAddress),
        });
    }

    public override Task<Invoice> LookupInvoice(PaymentHash request, ServerCallContext context) =>
        Task.FromResult((Net.LookupInvoice(Me.Name, request.RHash.ToByteArray()) ?? throw SimErrors.UnknownInvoice()).ToProto());

    public override Task SubscribeInvoices(InvoiceSubscription request, IServerStreamWriter<Invoice> responseStream, ServerCallContext context) =>
        RelayAsync(Me.InvoiceSubscribers, responseStream, context.CancellationToken);

    public override Task<PayReq> DecodePayReq(PayReqString request, ServerCallContext context)
    {
        Bolt11Invoice decoded;
        try
        {
            decoded = Bolt11Decoder.Decode(request.PayReq);
        }
        catch (Bolt11FormatException e)
        {
            throw SimErrors.Of(StatusCode.Unknown, $"invalid payment request: {e.Message}");
        }

        Net.EnsureOnThisNetwork(decoded);
        var payReq = new PayReq
        {
            RouteHints = { decoded.RouteHints.Select(RouteHints.ToProto) },
            Destination = decoded.PayeeHex,
            PaymentHash = SimNodeState.Hex(decoded.PaymentHash),
            NumSatoshis = (decoded.AmountMsat ?? 0) / 1000,
            NumMsat = decoded.AmountMsat ?? 0,
            Timestamp = decoded.Timestamp.ToUnixTimeSeconds(),
            Expiry = decoded.ExpirySeconds,
            Description = decoded.Description ?? string.Empty,
            DescriptionHash = decoded.DescriptionHash is null ? string.Empty : SimNodeState.Hex(decoded.DescriptionHash),
            CltvExpiry = decoded.MinFinalCltvExpiry,
            PaymentAddr = ByteString.CopyFrom(decoded.PaymentSecret),
        };
        payReq.Features.Add(LndFeatures.Of(decoded.Features).ToDictionary());
        return Task.FromResult(payReq);
    }

    public override Task<NodeInfo> GetNodeInfo(NodeInfoRequest request, ServerCallContext context)
    {
        var node = InGraph(request.PubKey) ?? throw SimErrors.Of(StatusCode.NotFound, "unable to find node");

        return Task.FromResult(NodeInfoAnswer.For(Net, node, Me, request.IncludeChannels));
    }

    public override Task<QueryRoutesResponse> QueryRoutes(QueryRoutesRequest request, ServerCallContext context) =>
        Task.FromResult(RouteEstimates.QueryRoutes(Net, Me.Name, request));

    public override Task<SignMessageResponse> SignMessage(SignMessageRequest request, ServerCallContext context) =>
        Task.FromResult(new SignMessageResponse { Signature = LndMessageSigner.Sign(Me.Key, request.Msg.Span) });

    public override Task<VerifyMessageResponse> VerifyMessage(VerifyMessageRequest request, ServerCallContext context)
    {
        if (!LndMessageSigner.TryRecover(request.Msg.Span, request.Signature, out var pubKey))
        {
            return Task.FromResult(new VerifyMessageResponse { Valid = false });
        }

        // Like LND: a signature counts as valid only when its signer is in this node's graph.
        return Task.FromResult(new VerifyMessageResponse { Valid = InGraph(pubKey) is not null, Pubkey = pubKey });
    }

    /// <summary>As in LND, a node is announced to the graph only with a public channel: one without (or with only
    /// private ones) is not in it.</summary>
    private SimNodeState? InGraph(string pubKey) =>
        Net.ByPubKey(pubKey) is { } node && Net.ChannelsOf(node.Name).Any(c => !c.IsPrivate) ? node : null;

    public override async Task<SendCustomMessageResponse> SendCustomMessage(SendCustomMessageRequest request, ServerCallContext context)
    {
        await Net.SendCustomMessageAsync(Me.Name, request.Peer.ToByteArray(), request.Type, request.Data.ToByteArray(), context.CancellationToken);
        return new SendCustomMessageResponse { Status = "message sent successfully" };
    }

    public override Task SubscribeCustomMessages(
        SubscribeCustomMessagesRequest request, IServerStreamWriter<CustomMessage> responseStream, ServerCallContext context) =>
        RelayAsync(Me.CustomMessageSubscribers, responseStream, context.CancellationToken);

    /// <summary>Streams everything published to a node's subscribers until the client goes away.</summary>
    private async Task RelayAsync<T>(List<System.Threading.Channels.Channel<T>> subscribers, IServerStreamWriter<T> responseStream, CancellationToken cancellationToken)
    {
        var subscription = Net.Subscribe(subscribers);
        try
        {
            await foreach (var item in subscription.Reader.ReadAllAsync(cancellationToken))
            {
                await responseStream.WriteAsync(item, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Net.Unsubscribe(subscribers, subscription);
        }
    }
}
