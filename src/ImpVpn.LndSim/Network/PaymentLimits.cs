using Grpc.Core;
using ImpVpn.Lnd.Rpc.Routerrpc;
using ImpVpn.LndSim.Crypto;

namespace ImpVpn.LndSim.Network;

/// <summary>SendPaymentRequest's limits checked as LND checks them before any payment is recorded
/// (routerrpc/router_backend.go): a cltv_limit above the max total time lock, or not above the final CLTV delta
/// plus padding, and max_parts with max_shard_size_msat that cannot carry the amount, are refused outright.</summary>
internal static class PaymentLimits
{
    public static SendOptions From(SendPaymentRequest request, long feeLimitMsat, Bolt11Invoice decoded)
    {
        var cltvLimit = request.CltvLimit == 0 ? RouteFinder.MaxTotalTimelock : (uint)request.CltvLimit;
        if (request.CltvLimit < 0 || cltvLimit > RouteFinder.MaxTotalTimelock)
        {
            throw SimErrors.Of(StatusCode.Unknown, $"total time lock of {request.CltvLimit} exceeds max allowed {RouteFinder.MaxTotalTimelock}");
        }

        var finalDelta = decoded.MinFinalCltvExpiry + PaymentLifecycle.BlockPadding;
        if (cltvLimit <= finalDelta)
        {
            throw SimErrors.Of(StatusCode.Unknown, $"cltv limit {cltvLimit} should be greater than {finalDelta}");
        }

        var options = new SendOptions(feeLimitMsat, cltvLimit, request.MaxParts, (long)request.MaxShardSizeMsat, request.TimeoutSeconds);
        if (options.MaxShardMsat > 0 && decoded.AmountMsat is { } amount && amount > options.MaxShardMsat * options.PartsAllowed)
        {
            throw SimErrors.Of(StatusCode.Unknown,
                $"payment amount {amount} mSAT exceeds maximum possible amount {options.MaxShardMsat * options.PartsAllowed} mSAT with max_parts={options.PartsAllowed} and max_shard_size_msat={options.MaxShardMsat}");
        }

        return options;
    }
}
