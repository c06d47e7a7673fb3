using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Tests.Fakes;

/// <summary>
/// An in-memory Lightning node for protocol tests: custom messages go to linked nodes only, like LND delivers
/// them only between connected peers. Everything else is not needed by these tests and says so.
/// </summary>
internal sealed class FakeLightningNode(string pubKey) : ILightningNode
{
    private readonly Dictionary<string, FakeLightningNode> _peers = [];
    private readonly Channel<CustomMessage> _inbox = Channel.CreateUnbounded<CustomMessage>();

    public string PubKey { get; } = pubKey;

    public List<(string To, byte[] Data)> Sent { get; } = [];

    public static void Link(FakeLightningNode a, FakeLightningNode b)
    {
        lock (a._peers)
        {
            a._peers[b.PubKey] = b;
        }

        lock (b._peers)
        {
            b._peers[a.PubKey] = a;
        }
    }

    /// <summary>The two nodes' connection drops: messages between them are refused as LND refuses them (NotFound).</summary>
    public static void Unlink(FakeLightningNode a, FakeLightningNode b)
    {
        lock (a._peers)
        {
            a._peers.Remove(b.PubKey);
        }

        lock (b._peers)
        {
            b._peers.Remove(a.PubKey);
        }
    }

    /// <summary>Delivers raw bytes to this node as if <paramref name="from"/> had sent them.</summary>
    public void Inject(string from, uint type, byte[] data) => _inbox.Writer.TryWrite(new CustomMessage(from, type, data));

    public Task SendCustomMessageAsync(string pubKey, uint type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        FakeLightningNode? peer;
        lock (_peers)
        {
            _peers.TryGetValue(pubKey, out peer);
        }

        if (peer is null)
        {
            throw new PeerNotConnectedException(pubKey);
        }

        lock (Sent)
        {
            Sent.Add((pubKey, data.ToArray()));
        }

        peer.Inject(PubKey, type, data.ToArray());
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<CustomMessage> SubscribeCustomMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            CustomMessage message;
            try
            {
                message = await _inbox.Reader.ReadAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            yield return message;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public Task<NodeInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new NodeInfo(PubKey, "fake", "regtest", true, true, 1, _peers.Count, [], "fake"));

    public Task ConnectPeerAsync(string pubKey, string hostPort, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<IReadOnlyList<PeerInfo>> ListPeersAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PeerInfo>>(_peers.Keys.Select(k => new PeerInfo(k, "fake", false)).ToList());

    public Task<GraphNodeInfo?> GetNodeInfoAsync(string pubKey, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<IReadOnlyList<GraphNode>> ListGraphNodesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<GraphNode>>([]);

    // A seller advertises itself as it starts and stops; nothing here gossips, so it is accepted and forgotten.
    public Task SetAnnouncedFeatureAsync(uint featureBit, bool advertise, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<ChannelSummary>> ListChannelsAsync(CancellationToken cancellationToken) => throw NotNeeded();

    public Task<RouteFeeEstimate> EstimateRouteFeeAsync(RouteFeeQuery query, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<CreatedInvoice> AddHoldInvoiceAsync(HoldInvoiceRequest request, CancellationToken cancellationToken) => throw NotNeeded();

    public Task SettleInvoiceAsync(ReadOnlyMemory<byte> preimage, CancellationToken cancellationToken) => throw NotNeeded();

    public Task CancelInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<InvoiceInfo?> LookupInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<DecodedPaymentRequest> DecodePaymentRequestAsync(string paymentRequest, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<PaymentResult> PayAsync(PaymentOrder order, CancellationToken cancellationToken) => throw NotNeeded();

    public Task<PaymentResult?> TrackPaymentAsync(ReadOnlyMemory<byte> paymentHash, bool waitForFinal, CancellationToken cancellationToken) => throw NotNeeded();

    private static NotSupportedException NotNeeded([CallerMemberName] string method = "") =>
        new($"{method} is not part of the protocol tests' fake node.");
}
