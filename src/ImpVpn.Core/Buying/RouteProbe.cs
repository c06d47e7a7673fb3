using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Buying;

/// <summary>
/// Before any money moves, the buyer's node probes the seller's invoice (Router.EstimateRouteFee: probe payments
/// along real routes, with a random hash the seller cannot settle, so nothing is spent). A probe that finds no route,
/// or only routes whose fee is above the limit, stops the payment with <see cref="PurchaseError.NoRoute"/> or
/// <see cref="PurchaseError.RoutingFeeAboveLimit"/>: better than a payment locked in flight only to fail. A probe that
/// cannot say (a node without EstimateRouteFee, a probe that timed out or failed on its own account) does not stop
/// the payment, which keeps its own fee limit.
/// </summary>
public static class RouteProbe
{
    /// <summary>Probes <paramref name="paymentRequest"/>; returns what it found, or null when it could not tell.</summary>
    /// <param name="contractId">the contract paid for, named in the refusal.</param>
    public static async Task<RouteFeeEstimate?> RequireRouteAsync(
        ILightningNode node, string paymentRequest, long amountSat, long feeLimitSat, TimeSpan timeout, IProgressLog log,
        string contractId, PaymentKind kind, CancellationToken cancellationToken)
    {
        if (await ExpiredAsync(node, paymentRequest, cancellationToken).ConfigureAwait(false))
        {
            // Paying it fails at once and ends the contract as it should; a probe refusing it (no route to a seller
            // gone quiet, say) would instead keep an unpayable contract unfinished for ever.
            log.Log(LogLevel.Verbose, $"Contract {contractId}: the invoice has expired; not probing it.");
            return null;
        }

        RouteFeeEstimate estimate;
        try
        {
            estimate = await node.EstimateRouteFeeAsync(RouteFeeQuery.ForInvoice(paymentRequest, timeout), cancellationToken).ConfigureAwait(false);
        }
        catch (RouteProbeUnavailableException e)
        {
            log.Log(LogLevel.Verbose, $"Contract {contractId}: no route probe ({e.Message}); paying with the fee limit alone.");
            return null;
        }

        switch (estimate.FailureReason)
        {
            case PaymentFailureReason.None:
                break;
            case PaymentFailureReason.NoRoute or PaymentFailureReason.InsufficientBalance:
                throw new PurchaseException(PurchaseError.NoRoute,
                    $"Your node found no route to the seller for {amountSat} sat ({Describe(estimate.FailureReason)}) with a routing fee of at most {feeLimitSat} sat. Nothing was paid.",
                    contractId: contractId, kind: kind);
            default:
                log.Log(LogLevel.Warning, $"Contract {contractId}: the route probe was inconclusive ({estimate.FailureReason}); paying with the fee limit of {feeLimitSat} sat alone.");
                return null;
        }

        if (estimate.RoutingFeeMsat > feeLimitSat * 1000)
        {
            throw new PurchaseException(PurchaseError.RoutingFeeAboveLimit,
                $"The route your node found to the seller costs {estimate.RoutingFeeSat} sat in routing fees; the limit is {feeLimitSat} sat. Nothing was paid.",
                contractId: contractId, kind: kind);
        }

        log.Log(LogLevel.Verbose, $"Contract {contractId}: the route probe found a route costing about {estimate.RoutingFeeSat} sat in fees (limit {feeLimitSat} sat), time lock {estimate.TimeLockDelay} blocks.");
        return estimate;
    }

    /// <summary>What the buyer's node expects paying <paramref name="amountSat"/> to <paramref name="sellerPubKey"/>
    /// to cost, from its own graph (nothing is sent); null when it cannot tell. For showing, never for deciding: a
    /// seller reached only through an invoice's route hints has no route in the graph.</summary>
    public static async Task<RouteFeeEstimate?> EstimateAsync(ILightningNode node, string sellerPubKey, long amountSat, CancellationToken cancellationToken)
    {
        try
        {
            return await node.EstimateRouteFeeAsync(RouteFeeQuery.ForDestination(sellerPubKey, amountSat), cancellationToken).ConfigureAwait(false);
        }
        catch (LightningException)
        {
            return null;
        }
    }

    private static async Task<bool> ExpiredAsync(ILightningNode node, string paymentRequest, CancellationToken cancellationToken)
    {
        try
        {
            return (await node.DecodePaymentRequestAsync(paymentRequest, cancellationToken).ConfigureAwait(false)).ExpiresAt <= DateTimeOffset.UtcNow;
        }
        catch (LightningRpcException)
        {
            // Unreadable now: the payment attempt reports it.
            return true;
        }
    }

    private static string Describe(PaymentFailureReason reason) => reason == PaymentFailureReason.InsufficientBalance
        ? "not enough outbound balance"
        : "no path with enough capacity";
}
