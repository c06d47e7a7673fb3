using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;
using PaymentStatus = ImpVpn.Lnd.Rpc.Lnrpc.Payment.Types.PaymentStatus;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>LND's routing rules in the simulator, under both profiles: fee limit, CLTV limit, channel reserve.</summary>
public sealed class RoutingRulesTests
{
    private static readonly string[] Forwarders = ["bob", "carol", "dave"];

    private static async Task<Payment> PayAsync(TestNetwork net, string payer, string paymentRequest, Action<ImpVpn.Lnd.Rpc.Routerrpc.SendPaymentRequest>? shape = null)
    {
        var request = SimPay.Request(paymentRequest);
        shape?.Invoke(request);
        return (await SimPay.PayAsync(net.Raw(payer), request))[^1];
    }

    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task A_route_over_the_fee_limit_is_not_used(SimProfile profile)
    {
        await using var net = await SimPay.LineAsync(profile);
        var carol = net.Raw("carol").Lightning;

        // The route costs 52,000 msat: one msat less is refused, the exact fee is enough.
        var under = await PayAsync(net, "alice", (await carol.AddInvoiceAsync(new Invoice { Value = 50_000 })).PaymentRequest, r => r.FeeLimitMsat = 51_999);
        var exact = await PayAsync(net, "alice", (await carol.AddInvoiceAsync(new Invoice { Value = 50_000 })).PaymentRequest, r => r.FeeLimitMsat = 52_000);

        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.FailureReasonNoRoute), (under.Status, under.FailureReason));
        Assert.Empty(under.Htlcs);
        Assert.Equal(PaymentStatus.Succeeded, exact.Status);
    }

    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task A_route_over_the_cltv_limit_is_not_used(SimProfile profile)
    {
        await using var net = await SimPay.LineAsync(profile);
        var carol = net.Raw("carol").Lightning;

        // alice→bob→carol locks 80 (carol's final delta) + 3 (padding) + 80 (bob's delta) = 163 blocks.
        var tight = await PayAsync(net, "alice", (await carol.AddInvoiceAsync(new Invoice { Value = 1_000 })).PaymentRequest, r => r.CltvLimit = 162);
        var enough = await PayAsync(net, "alice", (await carol.AddInvoiceAsync(new Invoice { Value = 1_000 })).PaymentRequest, r => r.CltvLimit = 163);
        // Without cltv_limit LND's maximum of 2016 applies: a final delta of 1,940 plus bob's 80 and the padding is over it,
        // while the same delta over alice's own channel (plus padding) is within it.
        var farFinal = await PayAsync(net, "alice", (await carol.AddInvoiceAsync(new Invoice { Value = 1_000, CltvExpiry = 1_940 })).PaymentRequest);
        var direct = await PayAsync(net, "alice", (await net.Raw("bob").Lightning.AddInvoiceAsync(new Invoice { Value = 1_000, CltvExpiry = 1_940 })).PaymentRequest);

        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.FailureReasonNoRoute), (tight.Status, tight.FailureReason));
        Assert.Equal(PaymentStatus.Succeeded, enough.Status);
        Assert.Equal(963u, Assert.Single(enough.Htlcs).Route.TotalTimeLock);
        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.FailureReasonNoRoute), (farFinal.Status, farFinal.FailureReason));
        Assert.Equal(PaymentStatus.Succeeded, direct.Status);
    }

    [Fact]
    public async Task A_cltv_limit_lnd_would_refuse_is_refused_before_any_payment()
    {
        await using var net = await SimPay.LineAsync(SimProfile.Ideal);
        var invoice = await net.Raw("carol").Lightning.AddInvoiceAsync(new Invoice { Value = 1_000 });

        var tooHigh = await Assert.ThrowsAsync<RpcException>(() => PayAsync(net, "alice", invoice.PaymentRequest, r => r.CltvLimit = 5_000));
        var belowFinal = await Assert.ThrowsAsync<RpcException>(() => PayAsync(net, "alice", invoice.PaymentRequest, r => r.CltvLimit = 83));

        Assert.Contains("exceeds max allowed 2016", tooHigh.Status.Detail);
        Assert.Contains("should be greater than 83", belowFinal.Status.Detail);
    }

    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task The_channel_reserve_cannot_be_spent(SimProfile profile)
    {
        await using var net = await TestNetwork.StartAsync(profile, "alice", "bob", "carol");
        // Reserve: 1% of 100,000 sat = 1,000 sat on each side.
        await net.Simulation.OpenChannelAsync("alice", "bob", 100_000);
        var bob = net.Raw("bob").Lightning;

        var overReserve = await PayAsync(net, "alice", (await bob.AddInvoiceAsync(new Invoice { Value = 99_001 })).PaymentRequest);
        var upToReserve = await PayAsync(net, "alice", (await bob.AddInvoiceAsync(new Invoice { Value = 99_000 })).PaymentRequest);

        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.FailureReasonInsufficientBalance), (overReserve.Status, overReserve.FailureReason));
        Assert.Equal(PaymentStatus.Succeeded, upToReserve.Status);
        Assert.Equal(1_000, net["alice"].LocalBalanceSat);

        // A forwarding node's reserve counts too: bob can forward at most 20,000 - 354 (dust floor) sat to carol.
        await net.Simulation.OpenChannelAsync("bob", "carol", 20_000);
        await net.Simulation.OpenChannelAsync("alice", "bob", 100_000);
        var carol = net.Raw("carol").Lightning;
        var overForward = await PayAsync(net, "alice", (await carol.AddInvoiceAsync(new Invoice { Value = 19_700 })).PaymentRequest);
        var forwardable = await PayAsync(net, "alice", (await carol.AddInvoiceAsync(new Invoice { Value = 19_600 })).PaymentRequest);

        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.FailureReasonNoRoute), (overForward.Status, overForward.FailureReason));
        Assert.Equal(PaymentStatus.Succeeded, forwardable.Status);
    }

    [Fact]
    public async Task A_four_hop_route_pays_every_intermediate_node_its_fee()
    {
        await using var net = await TestNetwork.StartAsync(SimProfile.Realistic, "alice", "bob", "carol", "dave", "erin");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        await net.Simulation.OpenChannelAsync("bob", "carol", 1_000_000);
        await net.Simulation.OpenChannelAsync("carol", "dave", 1_000_000);
        await net.Simulation.OpenChannelAsync("dave", "erin", 1_000_000);
        var before = Forwarders.ToDictionary(n => n, n => net[n].LocalBalanceMsat);

        var final = await PayAsync(net, "alice", (await net.Raw("erin").Lightning.AddInvoiceAsync(new Invoice { Value = 10_000 })).PaymentRequest);

        Assert.Equal(PaymentStatus.Succeeded, final.Status);
        var route = Assert.Single(final.Htlcs).Route;
        Assert.Equal(4, route.Hops.Count);
        // Default policy 1,000 msat + 1 ppm at each of bob, carol and dave; 80 blocks each.
        Assert.Equal([1_010L, 1_010L, 1_010L, 0L], route.Hops.Select(h => h.FeeMsat));
        Assert.Equal(800u + 80 + 3 + (3 * 80), route.TotalTimeLock);
        foreach (var (name, hop) in Forwarders.Zip(route.Hops))
        {
            Assert.Equal(before[name] + hop.FeeMsat, net[name].LocalBalanceMsat);
        }
    }
}
