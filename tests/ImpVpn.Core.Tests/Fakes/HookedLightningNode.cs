using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Tests.Fakes;

/// <summary>
/// A real node with hooks at the moments that crash-safety tests need to cut a process off exactly: when a payment
/// starts, when an invoice is looked up and when a hold invoice is settled. Everything else goes straight to the inner node.
/// </summary>
internal sealed class HookedLightningNode(ILightningNode inner) : ILightningNode
{
    /// <summary>Runs before the settle reaches the node; throwing from it stands for a process that died there.</summary>
    public Action? BeforeSettle { get; set; }

    /// <summary>Runs after the settle has reached the node.</summary>
    public Action? AfterSettle { get; set; }

    /// <summary>How many of the next custom messages the node refuses as if their peer had just disconnected
    /// (LND answers NotFound, and nothing is sent).</summary>
    public int DropConnectionForNextMessages { get; set; }

    /// <summary>How often the peers were listed (each reconnection attempt lists them first).</summary>
    public int PeerListings { get; private set; }

    /// <summary>Runs after an invoice was looked up, with what the node answered (the seller looks its invoice up
    /// just before it acts on a payment).</summary>
    public Action<InvoiceInfo?>? AfterLookupInvoice { get; set; }

    /// <summary>Changes what the node answers to LookupInvoice (a hold invoice reported still OPEN, as a real node does
    /// while the last parts of a payment are on their way); null answers as the node does.</summary>
    public Func<InvoiceInfo?, InvoiceInfo?>? RewriteLookupInvoice { get; set; }

    /// <summary>Replaces the payment the buyer follows (its SendPaymentV2 stream) by another task; the payment itself
    /// goes on at the inner node. Null: the inner node's.</summary>
    public Func<Task<PaymentResult>, Task<PaymentResult>>? RewritePay { get; set; }

    /// <summary>An error TrackPayment throws instead of asking the inner node (a transport failure), or null to ask it.</summary>
    public Func<Exception?>? FailTrackPayment { get; set; }

    /// <summary>The peer-protocol messages this node was asked to send (requests and answers, repeats included), in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<JsonRpcEnvelope> Sent { get; } = new();

    /// <summary>Answers LookupInvoice instead of the inner node (a test decides when it returns); null passes it on.</summary>
    public Func<ReadOnlyMemory<byte>, Task<InvoiceInfo?>>? LookupInvoice { get; set; }

    /// <summary>Changes what the node answers to TrackPayment while not waiting for the end; null answers as the node does.</summary>
    public Func<PaymentResult?, PaymentResult?>? RewriteTrackPayment { get; set; }

    /// <summary>Runs once the node has been asked to pay.</summary>
    public Action? AfterPayStarted { get; set; }

    /// <summary>Answers route fee probes instead of the inner node (the simulator has no probing yet); null passes
    /// them on. Throwing <see cref="RouteProbeUnavailableException"/> stands for a node without probing.</summary>
    public Func<RouteFeeQuery, RouteFeeEstimate>? EstimateRouteFee { get; set; }

    /// <summary>The probes asked for, in order.</summary>
    public List<RouteFeeQuery> Probes { get; } = [];

    /// <summary>An error UpdateNodeAnnouncement throws instead of asking the inner node (an LND without peersrpc, a
    /// macaroon without peers:write), or null to ask it.</summary>
    public Func<Exception?>? FailAnnouncement { get; set; }

    /// <summary>What UpdateNodeAnnouncement does instead of asking the inner node (wait, fail after reaching it),
    /// given ADD (true) or REMOVE; null asks it.</summary>
    public Func<bool, CancellationToken, Task>? Announce { get; set; }

    /// <summary>Every UpdateNodeAnnouncement asked for, in order: true for ADD, false for REMOVE.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<bool> Announcements { get; } = new();

    /// <summary>What DecodePayReq answers instead of the inner node; null passes the call on.</summary>
    public DecodedPaymentRequest? Decoded { get; set; }

    /// <summary>Channels reported instead of the inner node's; null passes the call on.</summary>
    public IReadOnlyList<ChannelSummary>? Channels { get; set; }

    /// <summary>Hold invoices asked for, as they reached the node.</summary>
    public List<HoldInvoiceRequest> HoldInvoices { get; } = [];

    /// <summary>Payments asked for, as they reached the node.</summary>
    public List<PaymentOrder> Payments { get; } = [];

    /// <summary>How often a peer was connected to.</summary>
    public int Connections { get; private set; }

    public async Task SettleInvoiceAsync(ReadOnlyMemory<byte> preimage, CancellationToken cancellationToken)
    {
        BeforeSettle?.Invoke();
        await inner.SettleInvoiceAsync(preimage, cancellationToken);
        AfterSettle?.Invoke();
    }

    public Task<PaymentResult> PayAsync(PaymentOrder order, CancellationToken cancellationToken)
    {
        lock (Payments)
        {
            Payments.Add(order);
        }

        var paying = inner.PayAsync(order, cancellationToken);
        AfterPayStarted?.Invoke();
        return RewritePay is { } rewrite ? rewrite(paying) : paying;
    }

    public Task<NodeInfo> GetInfoAsync(CancellationToken cancellationToken) => inner.GetInfoAsync(cancellationToken);

    public Task ConnectPeerAsync(string pubKey, string hostPort, CancellationToken cancellationToken)
    {
        Connections++;
        return inner.ConnectPeerAsync(pubKey, hostPort, cancellationToken);
    }

    public Task<IReadOnlyList<ChannelSummary>> ListChannelsAsync(CancellationToken cancellationToken) =>
        Channels is { } channels ? Task.FromResult(channels) : inner.ListChannelsAsync(cancellationToken);

    public Task<RouteFeeEstimate> EstimateRouteFeeAsync(RouteFeeQuery query, CancellationToken cancellationToken)
    {
        lock (Probes)
        {
            Probes.Add(query);
        }

        return EstimateRouteFee is { } answer ? Task.FromResult(answer(query)) : inner.EstimateRouteFeeAsync(query, cancellationToken);
    }

    public Task<IReadOnlyList<PeerInfo>> ListPeersAsync(CancellationToken cancellationToken)
    {
        PeerListings++;
        return inner.ListPeersAsync(cancellationToken);
    }

    public Task<GraphNodeInfo?> GetNodeInfoAsync(string pubKey, CancellationToken cancellationToken) => inner.GetNodeInfoAsync(pubKey, cancellationToken);

    public Task<IReadOnlyList<GraphNode>> ListGraphNodesAsync(CancellationToken cancellationToken) => inner.ListGraphNodesAsync(cancellationToken);

    public Task SetAnnouncedFeatureAsync(uint featureBit, bool advertise, CancellationToken cancellationToken)
    {
        Announcements.Enqueue(advertise);
        if (FailAnnouncement?.Invoke() is { } failure)
        {
            return Task.FromException(failure);
        }

        return Announce is { } announce ? announce(advertise, cancellationToken) : inner.SetAnnouncedFeatureAsync(featureBit, advertise, cancellationToken);
    }

    public Task SendCustomMessageAsync(string pubKey, uint type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (type == PeerProtocol.MessageType)
        {
            try
            {
                Sent.Enqueue(JsonRpcCodec.Decode(data.Span));
            }
            catch (ProtocolException)
            {
                // Not a message this test reads.
            }
        }

        if (DropConnectionForNextMessages > 0)
        {
            DropConnectionForNextMessages--;
            throw new PeerNotConnectedException(pubKey);
        }

        return inner.SendCustomMessageAsync(pubKey, type, data, cancellationToken);
    }

    public IAsyncEnumerable<CustomMessage> SubscribeCustomMessagesAsync(CancellationToken cancellationToken) => inner.SubscribeCustomMessagesAsync(cancellationToken);

    public Task<CreatedInvoice> AddHoldInvoiceAsync(HoldInvoiceRequest request, CancellationToken cancellationToken)
    {
        lock (HoldInvoices)
        {
            HoldInvoices.Add(request);
        }

        return inner.AddHoldInvoiceAsync(request, cancellationToken);
    }

    public Task CancelInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken) => inner.CancelInvoiceAsync(paymentHash, cancellationToken);

    public async Task<InvoiceInfo?> LookupInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken cancellationToken)
    {
        var invoice = LookupInvoice is { } answer ? await answer(paymentHash) : await inner.LookupInvoiceAsync(paymentHash, cancellationToken);
        if (RewriteLookupInvoice is { } rewrite)
        {
            invoice = rewrite(invoice);
        }

        AfterLookupInvoice?.Invoke(invoice);
        return invoice;
    }

    public Task<DecodedPaymentRequest> DecodePaymentRequestAsync(string paymentRequest, CancellationToken cancellationToken) =>
        Decoded is { } decoded ? Task.FromResult(decoded) : inner.DecodePaymentRequestAsync(paymentRequest, cancellationToken);

    public async Task<PaymentResult?> TrackPaymentAsync(ReadOnlyMemory<byte> paymentHash, bool waitForFinal, CancellationToken cancellationToken)
    {
        if (FailTrackPayment?.Invoke() is { } failure)
        {
            throw failure;
        }

        var payment = await inner.TrackPaymentAsync(paymentHash, waitForFinal, cancellationToken);
        return !waitForFinal && RewriteTrackPayment is { } rewrite ? rewrite(payment) : payment;
    }

    // The inner node belongs to whoever made it.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
