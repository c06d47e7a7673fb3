using ImpVpn.Core.Buying;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>What the route probe before paying decides, for each thing a node's probe can answer.</summary>
public sealed class RouteProbeTests
{
    private static readonly string Seller = "02" + new string('a', 64);

    private static HookedLightningNode Node(Func<RouteFeeQuery, RouteFeeEstimate> answer, DateTimeOffset? issued = null) =>
        new(new FakeLightningNode("03" + new string('b', 64)))
        {
            EstimateRouteFee = answer,
            Decoded = new DecodedPaymentRequest(Seller, new byte[32], 1_000, 1_000_000, issued ?? DateTimeOffset.UtcNow, 600, string.Empty, [], 80),
        };

    private static Task<RouteFeeEstimate?> Probe(ILightningNode node, long feeLimitSat = 10) =>
        RouteProbe.RequireRouteAsync(node, "lnbcrt1...", 1_000, feeLimitSat, TimeSpan.FromSeconds(30), NullProgressLog.Instance, "c1", PaymentKind.Purchase, CancellationToken.None);

    [Fact]
    public async Task A_route_within_the_limit_is_returned_with_its_fee()
    {
        var found = await Probe(Node(_ => new RouteFeeEstimate(9_500, 150, PaymentFailureReason.None)));
        Assert.Equal(10, found!.RoutingFeeSat);
    }

    [Theory]
    [InlineData(PaymentFailureReason.NoRoute)]
    [InlineData(PaymentFailureReason.InsufficientBalance)]
    public async Task No_route_stops_the_payment(PaymentFailureReason reason)
    {
        var error = await Assert.ThrowsAsync<PurchaseException>(() => Probe(Node(_ => new RouteFeeEstimate(0, 0, reason))));
        Assert.Equal(PurchaseError.NoRoute, error.Error);
        Assert.Equal("c1", error.ContractId);
        Assert.False(error.MoneyMoved);
    }

    [Fact]
    public async Task A_fee_above_the_limit_by_one_msat_stops_the_payment()
    {
        var error = await Assert.ThrowsAsync<PurchaseException>(() => Probe(Node(_ => new RouteFeeEstimate(10_001, 150, PaymentFailureReason.None))));
        Assert.Equal(PurchaseError.RoutingFeeAboveLimit, error.Error);
    }

    [Theory]
    [InlineData(PaymentFailureReason.Timeout)]
    [InlineData(PaymentFailureReason.Error)]
    public async Task An_inconclusive_probe_lets_the_payment_go_on_with_its_limit(PaymentFailureReason reason) =>
        Assert.Null(await Probe(Node(_ => new RouteFeeEstimate(0, 0, reason))));

    [Fact]
    public async Task A_node_that_cannot_probe_lets_the_payment_go_on() =>
        Assert.Null(await Probe(Node(_ => throw new RouteProbeUnavailableException("Unimplemented"))));

    [Fact]
    public async Task An_expired_invoice_is_not_probed_so_paying_it_fails_and_ends_the_contract()
    {
        var node = Node(_ => new RouteFeeEstimate(0, 0, PaymentFailureReason.NoRoute), DateTimeOffset.UtcNow.AddHours(-1));

        Assert.Null(await Probe(node));
        Assert.Empty(node.Probes);
    }
}
