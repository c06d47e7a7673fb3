using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ImpVpn.Core.Lightning;

namespace ImpVpn.Bench;

/// <summary>
/// A Lightning node in memory, for benchmarks of ImpVpn's own work: custom messages go straight to linked nodes,
/// hold invoices are accepted and forgotten, and every invoice lookup finds nothing (LookupInvoice returns null, as
/// for an invoice the node has pruned). Calls a benchmark does not make throw.
/// </summary>
/// <param name="holdsEveryInvoice">every hold invoice it issued looks paid and held (ACCEPTED) at once, as if each
/// buyer paid it the moment it was issued: a seller can then be driven through activate and claim with no payment
/// travelling, so that what is measured is the seller's own work.</param>
internal sealed class InMemoryLightningNode(string pubKey, bool holdsEveryInvoice = false) : ILightningNode
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CreatedInvoice> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InMemoryLightningNode> _peers = [];
    private readonly Channel<CustomMessage> _inbox = Channel.CreateUnbounded<CustomMessage>();
    private long _invoices;

    public string PubKey { get; } = pubKey;

    public static void Link(InMemoryLightningNode a, InMemoryLightningNode b)
    {
        a._peers[b.PubKey] = b;
        b._peers[a.PubKey] = a;
    }

    public Task SendCustomMessageAsync(string peerPubKey, uint type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_peers.TryGetValue(peerPubKey, out var peer))
        {
            throw new PeerNotConnectedException(peerPubKey);
        }

        peer._inbox.Writer.TryWrite(new CustomMessage(PubKey, type, data.ToArray()));
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<CustomMessage> SubscribeCustomMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            CustomMessage message;
            try
            {
                message = await _inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            yield return message;
        }
    }

    public Task<NodeInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new NodeInfo(PubKey, "bench", "regtest", true, true, 1, _peers.Count, [], "bench"));

    public Task<IReadOnlyList<PeerInfo>> ListPeersAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PeerInfo>>(_peers.Keys.Select(k => new PeerInfo(k, "memory", false)).ToList());

    public Task<CreatedInvoice> AddHoldInvoiceAsync(HoldInvoiceRequest request, CancellationToken cancellationToken)
    {
        var index = (ulong)Interlocked.Increment(ref _invoices);
        // About the length of a real BOLT11 string with a description hash, so stored records are the real size.
        var paymentRequest = "lnbcrt" + request.AmountSat + "n1" + Convert.ToHexString(request.PaymentHash).ToLowerInvariant() + new string('q', 200);
        var created = new CreatedInvoice(paymentRequest, request.PaymentHash, index);
        if (holdsEveryInvoice)
        {
            _held[Convert.ToHexString(request.PaymentHash)] = created;
        }

        return Task.FromResult(created);
    }

    public Task SettleInvoiceAsync(ReadOnlyMemory<byte> preimage, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CancelInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<InvoiceInfo?> LookupInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) =>
        Task.FromResult(_held.TryGetValue(Convert.ToHexString(paymentHash.Span), out var held)
            ? new InvoiceInfo(paymentHash.ToArray(), InvoiceState.Accepted, 1000, 1_000_000, held.PaymentRequest, "", [], DateTimeOffset.UtcNow, 3600, null)
            : null);

    public Task ConnectPeerAsync(string pubKey, string hostPort, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<GraphNodeInfo?> GetNodeInfoAsync(string pubKey, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<IReadOnlyList<GraphNode>> ListGraphNodesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<GraphNode>>([]);

    // A seller advertises itself as it starts and stops; nothing here gossips, so it is accepted and forgotten.
    public Task SetAnnouncedFeatureAsync(uint featureBit, bool advertise, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<ChannelSummary>> ListChannelsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ChannelSummary>>([]);

    public Task<RouteFeeEstimate> EstimateRouteFeeAsync(RouteFeeQuery query, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<DecodedPaymentRequest> DecodePaymentRequestAsync(string paymentRequest, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<PaymentResult> PayAsync(PaymentOrder order, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<PaymentResult?> TrackPaymentAsync(ReadOnlyMemory<byte> paymentHash, bool waitForFinal, CancellationToken cancellationToken) => throw NotNeeded();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static NotSupportedException NotNeeded([CallerMemberName] string method = "") =>
        new($"{method} is not used by the benchmarks' in-memory node.");
}
