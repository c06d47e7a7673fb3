using Google.Protobuf;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.Lnd.Rpc.Routerrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>Router.EstimateRouteFee (graph and probe) and Lightning.QueryRoutes answer from the payments' route finder,
/// in LND's terms.</summary>
public sealed class RouteEstimateTests
{
    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task EstimateRouteFee_answers_from_the_graph_and_by_probe(SimProfile profile)
    {
        await using var net = await SimPay.LineAsync(profile, "dave");
        var router = net.Raw("alice").Router;
        var invoice = await net.Raw("carol").Lightning.AddInvoiceAsync(new Invoice { Value = 50_000 });

        var graph = await router.EstimateRouteFeeAsync(new RouteFeeRequest { Dest = ByteString.CopyFrom(Convert.FromHexString(net["carol"].PubKey)), AmtSat = 50_000 });
        var probe = await router.EstimateRouteFeeAsync(new RouteFeeRequest { PaymentRequest = invoice.PaymentRequest });

        // LND answers the route's total time lock (an absolute height) plus 3 blocks of padding: 800 + 80 + 80 + 3.
        Assert.Equal((52_000L, 963L, PaymentFailureReason.FailureReasonNone), (graph.RoutingFeeMsat, graph.TimeLockDelay, graph.FailureReason));
        Assert.Equal((52_000L, 963L, PaymentFailureReason.FailureReasonNone), (probe.RoutingFeeMsat, probe.TimeLockDelay, probe.FailureReason));
        // The probe used a random hash: carol's invoice is untouched and alice's balance back where it was.
        Assert.Equal(Invoice.Types.InvoiceState.Open, (await net.Raw("carol").Lightning.LookupInvoiceAsync(new PaymentHash { RHash = invoice.RHash })).State);
        Assert.Equal(1_000_000_000, net["alice"].LocalBalanceMsat);
    }

    [Fact]
    public async Task EstimateRouteFee_without_a_route_fails_as_lnd_does()
    {
        await using var net = await SimPay.LineAsync(SimProfile.Ideal, "dave");
        var router = net.Raw("alice").Router;
        var unreachable = await net.Raw("dave").Lightning.AddInvoiceAsync(new Invoice { Value = 1_000 });

        var graph = await Assert.ThrowsAsync<RpcException>(() => router.EstimateRouteFeeAsync(
            new RouteFeeRequest { Dest = ByteString.CopyFrom(Convert.FromHexString(net["dave"].PubKey)), AmtSat = 1_000 }).ResponseAsync);
        var probe = await router.EstimateRouteFeeAsync(new RouteFeeRequest { PaymentRequest = unreachable.PaymentRequest });
        var both = await Assert.ThrowsAsync<RpcException>(() => router.EstimateRouteFeeAsync(new RouteFeeRequest()).ResponseAsync);

        Assert.Contains("unable to find a path to destination", graph.Status.Detail);
        Assert.Equal((0L, 0L, PaymentFailureReason.FailureReasonNoRoute), (probe.RoutingFeeMsat, probe.TimeLockDelay, probe.FailureReason));
        Assert.Contains("specify either a destination or an invoice", both.Status.Detail);
    }

    [Fact]
    public async Task QueryRoutes_gives_the_route_its_hops_fees_and_time_lock_or_no_path()
    {
        await using var net = await SimPay.LineAsync(SimProfile.Ideal, "dave");
        var lightning = net.Raw("alice").Lightning;

        var answer = await lightning.QueryRoutesAsync(new QueryRoutesRequest { PubKey = net["carol"].PubKey, Amt = 50_000 });
        var capped = await Assert.ThrowsAsync<RpcException>(() => lightning.QueryRoutesAsync(
            new QueryRoutesRequest { PubKey = net["carol"].PubKey, Amt = 50_000, FeeLimit = new FeeLimit { FixedMsat = 51_999 } }).ResponseAsync);
        var nowhere = await Assert.ThrowsAsync<RpcException>(() => lightning.QueryRoutesAsync(
            new QueryRoutesRequest { PubKey = net["dave"].PubKey, Amt = 1_000 }).ResponseAsync);

        var route = Assert.Single(answer.Routes);
        Assert.Equal((50_052_000L, 52_000L), (route.TotalAmtMsat, route.TotalFeesMsat));
        // QueryRoutes adds no padding: 800 + carol's default final delta 80 + bob's 80.
        Assert.Equal(960u, route.TotalTimeLock);
        Assert.Equal([net["bob"].PubKey, net["carol"].PubKey], route.Hops.Select(h => h.PubKey));
        Assert.Equal([52_000L, 0L], route.Hops.Select(h => h.FeeMsat));
        Assert.InRange(answer.SuccessProb, 0.01, 1);
        Assert.Contains("unable to find a path to destination", capped.Status.Detail);
        Assert.Contains("unable to find a path to destination", nowhere.Status.Detail);
    }
}
