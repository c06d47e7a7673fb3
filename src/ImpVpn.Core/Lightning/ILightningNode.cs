namespace ImpVpn.Core.Lightning;

/// <summary>
/// Everything ImpVpn needs from the operator's own Lightning node, in ImpVpn's own types — and nothing more:
/// a member is added here when production code needs it, so a new node kind (or a test fake) implements only
/// what ImpVpn uses. LND over gRPC (<see cref="Lnd.LndNode"/>) is the implementation today; the buyer and seller
/// cores are written only against this interface so another node kind can be added beside it
/// (the BTCPayServer.Lightning model: one interface, one class per node kind).
/// </summary>
/// <remarks>
/// Every method throws a <see cref="LightningException"/> subclass on failure, never a raw gRPC exception.
/// Streams end when their token is cancelled, without throwing to the consumer.
/// Pubkeys are 66-character lowercase hex (33-byte compressed secp256k1); hashes and preimages are 32 bytes.
/// </remarks>
public interface ILightningNode : IAsyncDisposable
{
    /// <summary>GetInfo: identity, sync state and network of the node.</summary>
    Task<NodeInfo> GetInfoAsync(CancellationToken cancellationToken);

    /// <summary>ConnectPeer. Connecting to a peer that is already connected is not an error.</summary>
    Task ConnectPeerAsync(string pubKey, string hostPort, CancellationToken cancellationToken);

    /// <summary>ListPeers: the peers connected right now.</summary>
    Task<IReadOnlyList<PeerInfo>> ListPeersAsync(CancellationToken cancellationToken);

    /// <summary>GetNodeInfo: a node as the graph knows it (alias, advertised addresses); null when the graph does not know it.</summary>
    Task<GraphNodeInfo?> GetNodeInfoAsync(string pubKey, CancellationToken cancellationToken);

    /// <summary>DescribeGraph: every node this node's graph knows, as their announcements have reached it (gossip takes
    /// time: a node's newest announcement may not be here yet).</summary>
    Task<IReadOnlyList<GraphNode>> ListGraphNodesAsync(CancellationToken cancellationToken);

    /// <summary>peersrpc.UpdateNodeAnnouncement: sets (<paramref name="advertise"/>) or clears one feature bit in this
    /// node's own announcement, which the node then gossips. A bit already as asked is not an error. Throws
    /// <see cref="LightningRpcException"/> when the node refuses (a bit it knows, a node without peersrpc: Unimplemented,
    /// a macaroon without peers:write).</summary>
    Task SetAnnouncedFeatureAsync(uint featureBit, bool advertise, CancellationToken cancellationToken);

    /// <summary>ListChannels: this node's open channels, public and private.</summary>
    Task<IReadOnlyList<ChannelSummary>> ListChannelsAsync(CancellationToken cancellationToken);

    /// <summary>Router.EstimateRouteFee: the fee and time lock a payment is expected to cost, found by probe payments
    /// to an invoice (which cannot settle: their hash is random) or from the node's graph for a destination.
    /// A probe that finds no route is returned with its failure reason, not thrown. Throws
    /// <see cref="RouteProbeUnavailableException"/> when the node does not offer probing (an older LND, a node kind
    /// without it): callers then go on without an estimate.</summary>
    Task<RouteFeeEstimate> EstimateRouteFeeAsync(RouteFeeQuery query, CancellationToken cancellationToken);

    /// <summary>SendCustomMessage to a connected peer. Throws <see cref="PeerNotConnectedException"/> when it is not connected.</summary>
    Task SendCustomMessageAsync(string pubKey, uint type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>SubscribeCustomMessages: every custom message from any peer, until cancelled.</summary>
    IAsyncEnumerable<CustomMessage> SubscribeCustomMessagesAsync(CancellationToken cancellationToken);

    /// <summary>Invoices.AddHoldInvoice: an invoice for a hash whose preimage only the caller knows;
    /// a payment to it stays ACCEPTED until <see cref="SettleInvoiceAsync"/> or <see cref="CancelInvoiceAsync"/>.</summary>
    Task<CreatedInvoice> AddHoldInvoiceAsync(HoldInvoiceRequest request, CancellationToken cancellationToken);

    /// <summary>Invoices.SettleInvoice with the preimage of an ACCEPTED hold invoice.</summary>
    Task SettleInvoiceAsync(ReadOnlyMemory<byte> preimage, CancellationToken cancellationToken);

    /// <summary>Invoices.CancelInvoice: refuses (or refunds an ACCEPTED) payment to the invoice.</summary>
    Task CancelInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken);

    /// <summary>LookupInvoice by payment hash; null when the node has no such invoice.</summary>
    Task<InvoiceInfo?> LookupInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken);

    /// <summary>DecodePayReq as the node itself reads a BOLT11 string.</summary>
    Task<DecodedPaymentRequest> DecodePaymentRequestAsync(string paymentRequest, CancellationToken cancellationToken);

    /// <summary>Router.SendPaymentV2, followed to a final state (SUCCEEDED or FAILED) or until cancelled.
    /// A FAILED payment is returned, not thrown; transport problems throw.</summary>
    Task<PaymentResult> PayAsync(PaymentOrder order, CancellationToken cancellationToken);

    /// <summary>Router.TrackPaymentV2 for a payment this node made; null when the node never attempted it.
    /// Used before paying to make sure one contract is never paid twice, and (<paramref name="waitForFinal"/>) to learn
    /// how a payment already under way ended.</summary>
    Task<PaymentResult?> TrackPaymentAsync(ReadOnlyMemory<byte> paymentHash, bool waitForFinal, CancellationToken cancellationToken);
}
