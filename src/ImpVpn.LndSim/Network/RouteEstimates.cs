using System.Security.Cryptography;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.Lnd.Rpc.Routerrpc;
using PaymentStatus = ImpVpn.Lnd.Rpc.Lnrpc.Payment.Types.PaymentStatus;

namespace ImpVpn.LndSim.Network;

/// <summary>Router.EstimateRouteFee and Lightning.QueryRoutes, answered from the same route finder that payments
/// use, with LND's defaults and answers (routerrpc/router_server.go, router_backend.go).</summary>
internal static class RouteEstimates
{
    /// <summary>LND's fee limit for estimates: 100,000,000 sat (routeFeeLimitSat).</summary>
    private const long EstimateFeeLimitMsat = 100_000_000L * 1000;

    /// <summary>The final CLTV delta LND assumes when none is given (the chain's default time lock delta).</summary>
    public const uint DefaultFinalCltvDelta = 80;

    public static RpcException NoPath() => SimErrors.Of(StatusCode.Unknown, "unable to find a path to destination");

    /// <summary>Graph-based: the cheapest route's fee, and its total time lock (an absolute height, as LND answers)
    /// plus LND's block padding. No route is an error, as in LND.</summary>
    public static RouteFeeResponse FromGraph(SimNetwork network, string from, byte[] dest, long amountSat)
    {
        var route = network.Read(() =>
        {
            var target = network.ByPubKeyLocked(dest);
            return target is null
                ? null
                : RouteFinder.Find(network.ChannelList, network.NodeLocked, network.BlockHeight,
                    new RouteQuery(from, target.Name, amountSat * 1000, DefaultFinalCltvDelta, RouteFinder.MaxTotalTimelock, EstimateFeeLimitMsat, []));
        }) ?? throw NoPath();
        return new RouteFeeResponse
        {
            RoutingFeeMsat = route.FeeMsat,
            TimeLockDelay = route.TotalTimeLock + PaymentLifecycle.BlockPadding,
            FailureReason = PaymentFailureReason.FailureReasonNone,
        };
    }

    /// <summary>Probe-based: a real payment (one part) to the invoice's payee under a random hash, with the invoice's
    /// route hints. The payee refusing the unknown hash means the route works: its fee and total time lock are the
    /// answer; any other failure comes back as the failure reason with zeros.</summary>
    public static async Task<RouteFeeResponse> ByProbeAsync(SimNetwork network, string from, string paymentRequest, CancellationToken cancellationToken)
    {
        var decoded = network.DecodeForPayment(paymentRequest, StatusCode.Unknown);
        if (decoded.AmountMsat is not > 0)
        {
            throw SimErrors.Of(StatusCode.Unknown, "payment request amount must be greater than 0");
        }

        var target = new PaymentTarget(decoded.Payee, decoded.AmountMsat.Value, RandomNumberGenerator.GetBytes(32), decoded.PaymentSecret,
            (uint)decoded.MinFinalCltvExpiry, decoded.RouteHints);
        var payment = network.Send(from, string.Empty, target, new SendOptions(EstimateFeeLimitMsat, MaxParts: 1, IsProbe: true));
        Payment final;
        while (true)
        {
            var (changed, snapshot) = network.Read(() => (payment.Changed.Task, payment.ToProto()));
            if (snapshot.Status is PaymentStatus.Succeeded or PaymentStatus.Failed)
            {
                final = snapshot;
                break;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (final.Status == PaymentStatus.Failed && final.FailureReason == PaymentFailureReason.FailureReasonIncorrectPaymentDetails && final.Htlcs.Count > 0)
        {
            var last = final.Htlcs[^1].Route;
            return new RouteFeeResponse { RoutingFeeMsat = last.TotalFeesMsat, TimeLockDelay = last.TotalTimeLock };
        }

        return new RouteFeeResponse { FailureReason = final.FailureReason };
    }

    public static QueryRoutesResponse QueryRoutes(SimNetwork network, string self, QueryRoutesRequest request)
    {
        if (request.Amt != 0 && request.AmtMsat != 0)
        {
            throw SimErrors.Of(StatusCode.Unknown, "sat and msat arguments are mutually exclusive");
        }

        if (request.Amt < 0 || request.AmtMsat < 0)
        {
            throw SimErrors.Of(StatusCode.Unknown, "amount cannot be negative");
        }

        var amountMsat = request.AmtMsat != 0 ? request.AmtMsat : request.Amt * 1000;
        var cltvLimit = request.CltvLimit == 0 ? RouteFinder.MaxTotalTimelock : request.CltvLimit;
        if (cltvLimit > RouteFinder.MaxTotalTimelock)
        {
            throw SimErrors.Of(StatusCode.Unknown, $"total time lock of {cltvLimit} exceeds max allowed {RouteFinder.MaxTotalTimelock}");
        }

        var finalDelta = request.FinalCltvDelta != 0 ? (uint)request.FinalCltvDelta : DefaultFinalCltvDelta;
        if (cltvLimit <= finalDelta)
        {
            throw SimErrors.Of(StatusCode.Unknown, $"cltv limit {cltvLimit} should be greater than {finalDelta}");
        }

        var feeLimitMsat = request.FeeLimit?.LimitCase switch
        {
            FeeLimit.LimitOneofCase.Fixed => request.FeeLimit.Fixed * 1000,
            FeeLimit.LimitOneofCase.FixedMsat => request.FeeLimit.FixedMsat,
            FeeLimit.LimitOneofCase.Percent => amountMsat * request.FeeLimit.Percent / 100,
            // LND's default: 100% up to 1,000 sat, 5% above.
            _ => amountMsat <= 1_000_000 ? amountMsat : amountMsat * 5 / 100,
        };

        var route = network.Read(() =>
        {
            var source = string.IsNullOrEmpty(request.SourcePubKey) ? network.NodeLocked(self) : network.ByPubKeyLocked(Convert.FromHexString(request.SourcePubKey));
            var target = network.ByPubKeyLocked(Convert.FromHexString(request.PubKey));
            if (source is null || target is null)
            {
                return null;
            }

            var hints = RouteHints.Resolve(RouteHints.FromProto(request.RouteHints), network.ByPubKeyLocked);
            return RouteFinder.Find(network.ChannelList, network.NodeLocked, network.BlockHeight,
                new RouteQuery(source.Name, target.Name, amountMsat, finalDelta, cltvLimit, feeLimitMsat, hints));
        }) ?? throw NoPath();

        var attempt = new SimAttempt { Id = 0, Route = route, AttemptTime = DateTimeOffset.UtcNow };
        var proto = attempt.ToProto([], amountMsat, network.BlockHeight).Route;
        proto.Hops[^1].MppRecord = null;
        // A fresh node's a-priori success estimate (LND's apriori hop probability, 0.6 per hop beyond the first).
        return new QueryRoutesResponse { Routes = { proto }, SuccessProb = Math.Pow(0.6, route.Hops.Count - 1) };
    }
}
