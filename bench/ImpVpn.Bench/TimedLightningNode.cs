using System.Diagnostics;
using System.Runtime.CompilerServices;
using ImpVpn.Core.Lightning;

namespace ImpVpn.Bench;

/// <summary>Forwards every call to a real node and adds up the time spent inside LND calls, so a purchase can be
/// split into LND's share and ImpVpn's own. Streams are not counted (they wait for events, not for LND); the payment
/// is counted separately because it runs while the seller activates the tunnel.</summary>
internal sealed class TimedLightningNode(ILightningNode inner) : ILightningNode
{
    private long _ticks;
    private long _paymentTicks;

    public TimeSpan CallTime => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public TimeSpan PaymentTime => TimeSpan.FromTicks(Interlocked.Read(ref _paymentTicks));

    public void Reset()
    {
        Interlocked.Exchange(ref _ticks, 0);
        Interlocked.Exchange(ref _paymentTicks, 0);
    }

    private async Task<T> Time<T>(Task<T> call)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            return await call.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Add(ref _ticks, watch.Elapsed.Ticks);
        }
    }

    private async Task Time(Task call) => await Time(call.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default)).ConfigureAwait(false);

    public Task<NodeInfo> GetInfoAsync(CancellationToken ct) => Time(inner.GetInfoAsync(ct));

    public Task ConnectPeerAsync(string pubKey, string hostPort, CancellationToken ct) => Time(inner.ConnectPeerAsync(pubKey, hostPort, ct));

    public Task<IReadOnlyList<PeerInfo>> ListPeersAsync(CancellationToken ct) => Time(inner.ListPeersAsync(ct));

    public Task<GraphNodeInfo?> GetNodeInfoAsync(string pubKey, CancellationToken ct) => Time(inner.GetNodeInfoAsync(pubKey, ct));

    public Task<IReadOnlyList<GraphNode>> ListGraphNodesAsync(CancellationToken ct) => Time(inner.ListGraphNodesAsync(ct));

    public Task SetAnnouncedFeatureAsync(uint featureBit, bool advertise, CancellationToken ct) => Time(inner.SetAnnouncedFeatureAsync(featureBit, advertise, ct));

    public Task<IReadOnlyList<ChannelSummary>> ListChannelsAsync(CancellationToken ct) => Time(inner.ListChannelsAsync(ct));

    public Task<RouteFeeEstimate> EstimateRouteFeeAsync(RouteFeeQuery query, CancellationToken ct) => Time(inner.EstimateRouteFeeAsync(query, ct));

    public Task SendCustomMessageAsync(string pubKey, uint type, ReadOnlyMemory<byte> data, CancellationToken ct) => Time(inner.SendCustomMessageAsync(pubKey, type, data, ct));

    public IAsyncEnumerable<CustomMessage> SubscribeCustomMessagesAsync(CancellationToken ct) => inner.SubscribeCustomMessagesAsync(ct);

    public Task<CreatedInvoice> AddHoldInvoiceAsync(HoldInvoiceRequest request, CancellationToken ct) => Time(inner.AddHoldInvoiceAsync(request, ct));

    public Task SettleInvoiceAsync(ReadOnlyMemory<byte> preimage, CancellationToken ct) => Time(inner.SettleInvoiceAsync(preimage, ct));

    public Task CancelInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken ct) => Time(inner.CancelInvoiceAsync(paymentHash, ct));

    public Task<InvoiceInfo?> LookupInvoiceAsync(ReadOnlyMemory<byte> paymentHash, CancellationToken ct) => Time(inner.LookupInvoiceAsync(paymentHash, ct));

    public Task<DecodedPaymentRequest> DecodePaymentRequestAsync(string paymentRequest, CancellationToken ct) => Time(inner.DecodePaymentRequestAsync(paymentRequest, ct));

    public async Task<PaymentResult> PayAsync(PaymentOrder order, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            return await inner.PayAsync(order, ct).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Add(ref _paymentTicks, watch.Elapsed.Ticks);
        }
    }

    public Task<PaymentResult?> TrackPaymentAsync(ReadOnlyMemory<byte> paymentHash, bool waitForFinal, CancellationToken ct) => Time(inner.TrackPaymentAsync(paymentHash, waitForFinal, ct));

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
