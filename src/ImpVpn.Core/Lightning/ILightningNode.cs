namespace ImpVpn.Core.Lightning;

/// <summary>
/// Everything ImpVpn needs from the operator's own Lightning node, in ImpVpn's own types.
/// LND over gRPC (<see cref="Lnd.LndNode"/>) is the implementation today; the buyer and seller cores are
/// written only against this interface so another node kind can be added beside it
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

    /// <summary>SendCustomMessage to a connected peer. Throws <see cref="PeerNotConnectedException"/> when it is not connected.</summary>
    Task SendCustomMessageAsync(string peerPubKey, uint type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>SubscribeCustomMessages: every custom message from any peer, until cancelled.</summary>
    IAsyncEnumerable<CustomMessage> SubscribeCustomMessagesAsync(CancellationToken cancellationToken);

    /// <summary>AddInvoice: an ordinary invoice whose preimage the node chooses.</summary>
    Task<CreatedInvoice> AddInvoiceAsync(InvoiceRequest request, CancellationToken cancellationToken);

    /// <summary>Invoices.AddHoldInvoice: an invoice for a hash whose preimage only the caller knows;
    /// a payment to it stays ACCEPTED until <see cref="SettleInvoiceAsync"/> or <see cref="CancelInvoiceAsync"/>.</summary>
    Task<CreatedInvoice> AddHoldInvoiceAsync(HoldInvoiceRequest request, CancellationToken cancellationToken);

    /// <summary>Invoices.SettleInvoice with the preimage of an ACCEPTED hold invoice.</summary>
    Task SettleInvoiceAsync(ReadOnlyMemory<byte> preimage, CancellationToken cancellationToken);

    /// <summary>Invoices.CancelInvoice: refuses (or refunds an ACCEPTED) payment to the invoice.</summary>
    Task CancelInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken);

    /// <summary>LookupInvoice by payment hash; null when the node has no such invoice.</summary>
    Task<InvoiceInfo?> LookupInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken);

    /// <summary>Invoices.SubscribeSingleInvoice: the invoice's state each time it changes, starting with its current state.</summary>
    IAsyncEnumerable<InvoiceInfo> SubscribeSingleInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken);

    /// <summary>SubscribeInvoices: every invoice added or settled on this node, until cancelled.</summary>
    IAsyncEnumerable<InvoiceInfo> SubscribeInvoicesAsync(CancellationToken cancellationToken);

    /// <summary>DecodePayReq as the node itself reads a BOLT11 string.</summary>
    Task<DecodedPaymentRequest> DecodePaymentRequestAsync(string paymentRequest, CancellationToken cancellationToken);

    /// <summary>Router.SendPaymentV2, followed to a final state (SUCCEEDED or FAILED) or until cancelled.
    /// A FAILED payment is returned, not thrown; transport problems throw.</summary>
    Task<PaymentResult> PayAsync(PaymentOrder order, CancellationToken cancellationToken);

    /// <summary>Router.TrackPaymentV2 for a payment this node made; null when the node never attempted it.
    /// Used before paying to make sure one contract is never paid twice.</summary>
    Task<PaymentResult?> TrackPaymentAsync(ReadOnlyMemory<byte> paymentHash, bool waitForFinal, CancellationToken cancellationToken);

    /// <summary>ChannelBalance: what this node can spend and receive over its channels.</summary>
    Task<ChannelBalanceInfo> GetChannelBalanceAsync(CancellationToken cancellationToken);

    /// <summary>SignMessage with the node's identity key; returns LND's zbase32 signature.</summary>
    Task<string> SignMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>VerifyMessage: whether the signature is valid and from whom (LND reports valid only for signers in its graph).</summary>
    Task<SignatureCheck> VerifyMessageAsync(ReadOnlyMemory<byte> message, string signature, CancellationToken cancellationToken);
}
