using ImpVpn.Core.Buying;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>What the route probe before paying decides, for each thing a node's probe can answer.</summary>
public sealed class RouteProbeTests
{
    private static readonly string Seller = "02" + new string('a', 64);

    // One channel that can send the 1,000 sat probed and its 10 sat fee limit alone, as the probe's one part would.
    private static readonly ChannelSummary[] OneLargeChannel = [new(Seller, true, false, 100_000, 1_010)];

    private static HookedLightningNode Node(Func<RouteFeeQuery, RouteFeeEstimate> answer, DateTimeOffset? issued = null, IReadOnlyList<ChannelSummary>? channels = null) =>
        new(new FakeLightningNode("03" + new string('b', 64)))
        {
            EstimateRouteFee = answer,
            Decoded = new DecodedPaymentRequest(Seller, new byte[32], 1_000, 1_000_000, issued ?? DateTimeOffset.UtcNow, 600, string.Empty, [], 80),
            Channels = channels ?? OneLargeChannel,
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
    public async Task No_route_stops_the_payment_where_one_channel_could_carry_it_alone(PaymentFailureReason reason)
    {
        var error = await Assert.ThrowsAsync<PurchaseException>(() => Probe(Node(_ => new RouteFeeEstimate(0, 0, reason))));
        Assert.Equal(PurchaseError.NoRoute, error.Error);
        Assert.Equal("c1", error.ContractId);
        Assert.False(error.MoneyMoved);
    }

    [Theory]
    [InlineData(PaymentFailureReason.NoRoute)]
    [InlineData(PaymentFailureReason.InsufficientBalance)]
    public async Task No_route_for_one_part_lets_a_payment_that_only_fits_across_channels_go_on(PaymentFailureReason reason)
    {
        // 600 + 600 sat can send 1,000 sat in two parts, which LND's payment may do where its one-part probe cannot.
        var split = Node(_ => new RouteFeeEstimate(0, 0, reason), channels: [new(Seller, true, false, 10_000, 600), new(Seller, true, false, 10_000, 600)]);
        Assert.Null(await Probe(split));

        // The whole payment with its fee limit does not fit the largest channel (1,009 < 1,010 sat): the same.
        Assert.Null(await Probe(Node(_ => new RouteFeeEstimate(0, 0, reason), channels: [new(Seller, true, false, 100_000, 1_009)])));
    }

    [Fact]
    public async Task Channels_that_cannot_send_the_amount_even_together_stop_the_payment()
    {
        var error = await Assert.ThrowsAsync<PurchaseException>(() => Probe(Node(_ => new RouteFeeEstimate(0, 0, PaymentFailureReason.InsufficientBalance),
            channels: [new(Seller, true, false, 10_000, 400), new(Seller, false, false, 10_000, 5_000), new(Seller, true, false, 10_000, 500)])));
        Assert.Equal(PurchaseError.NoRoute, error.Error);
        Assert.Contains("900 sat in all", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fee_above_the_limit_lets_the_payment_go_on_held_to_its_limit()
    {
        // LND's probe chose its route under its own fee limit; the payment searches again under this one.
        var found = await Probe(Node(_ => new RouteFeeEstimate(10_001, 150, PaymentFailureReason.None)));
        Assert.Equal(11, found!.RoutingFeeSat);
    }

    [Fact]
    public async Task The_largest_fee_limit_does_not_overflow_into_a_refusal()
    {
        // long.MaxValue sat is more msat than a long holds: compared in msat, the limit wrapped negative.
        var found = await Probe(Node(_ => new RouteFeeEstimate(9_500, 150, PaymentFailureReason.None)), feeLimitSat: long.MaxValue);
        Assert.Equal(10, found!.RoutingFeeSat);
    }

    [Fact]
    public async Task A_fee_preview_cut_short_by_its_own_bound_says_nothing_instead_of_failing()
    {
        using var bound = new CancellationTokenSource();
        await bound.CancelAsync();
        var slow = Node(_ => throw new OperationCanceledException(bound.Token));

        Assert.Null(await RouteProbe.EstimateAsync(slow, Seller, 1_000, bound.Token));
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
