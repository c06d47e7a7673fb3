using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ImpVpn.Core.Lightning;

namespace ImpVpn.Bench;

/// <summary>
/// A Lightning node in memory, for benchmarks of ImpVpn's own work: custom messages go straight to linked nodes,
/// hold invoices are accepted and forgotten, and every invoice lookup finds nothing (LookupInvoice returns null, as
/// for an invoice the node has pruned). Calls a benchmark does not make throw.
/// </summary>
internal sealed class InMemoryLightningNode(string pubKey) : ILightningNode
{
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
        return Task.FromResult(new CreatedInvoice(paymentRequest, request.PaymentHash, index));
    }

    public Task SettleInvoiceAsync(ReadOnlyMemory<byte> preimage, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CancelInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<InvoiceInfo?> LookupInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) => Task.FromResult<InvoiceInfo?>(null);

    public Task ConnectPeerAsync(string pubKey, string hostPort, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<GraphNodeInfo?> GetNodeInfoAsync(string pubKey, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<IReadOnlyList<ChannelSummary>> ListChannelsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ChannelSummary>>([]);

    public Task<RouteFeeEstimate> EstimateRouteFeeAsync(RouteFeeQuery query, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<DecodedPaymentRequest> DecodePaymentRequestAsync(string paymentRequest, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<PaymentResult> PayAsync(PaymentOrder order, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<PaymentResult?> TrackPaymentAsync(ReadOnlyMemory<byte> paymentHash, bool waitForFinal, CancellationToken cancellationToken) => throw NotNeeded();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static NotSupportedException NotNeeded([CallerMemberName] string method = "") =>
        new($"{method} is not used by the benchmarks' in-memory node.");
}
