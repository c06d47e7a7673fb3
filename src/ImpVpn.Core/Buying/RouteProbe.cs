using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Buying;

/// <summary>
/// Before any money moves, the buyer's node probes the seller's invoice (Router.EstimateRouteFee: probe payments
/// along real routes, with a random hash the seller cannot settle, so nothing is spent). LND's probe is one part along
/// the route LND itself chooses, under its own fee limit, while the payment that follows may be split into parts and
/// is held to this buyer's fee limit by LND: so a probe that fails proves little unless one part could carry the
/// payment. It stops the payment (<see cref="PurchaseError.NoRoute"/>) only when it is certain: the node's channels
/// together cannot send the amount, or the probe found no route though one of its channels alone could send the
/// amount with its fee limit. Otherwise (the amount only fits across channels, a probe that cannot say, a route
/// dearer than the limit, for which LND may yet find a cheaper one) it warns and the payment goes on with its own
/// fee limit, which LND enforces.
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
                await RequireNoRouteUncertainAsync(node, estimate.FailureReason, amountSat, feeLimitSat, log, contractId, kind, cancellationToken).ConfigureAwait(false);
                return null;
            default:
                log.Log(LogLevel.Warning, $"Contract {contractId}: the route probe was inconclusive ({estimate.FailureReason}); paying with the fee limit of {feeLimitSat} sat alone.");
                return null;
        }

        // Compared in sat, the estimate rounded up: the limit in msat would not fit a long for the largest limits.
        if (estimate.RoutingFeeSat > feeLimitSat)
        {
            // The probe's route is LND's choice under its own fee limit; the payment searches again under this one,
            // and LND fails it (nothing spent) if no route fits.
            log.Log(LogLevel.Warning, $"Contract {contractId}: the route your node's probe found costs about {estimate.RoutingFeeSat} sat in routing fees, above the limit of {feeLimitSat} sat; paying anyway, held to that limit (the payment fails, spending nothing, if no route fits it).");
            return estimate;
        }

        log.Log(LogLevel.Verbose, $"Contract {contractId}: the route probe found a route costing about {estimate.RoutingFeeSat} sat in fees (limit {feeLimitSat} sat), time lock {estimate.TimeLockDelay} blocks.");
        return estimate;
    }

    /// <summary>Throws <see cref="PurchaseError.NoRoute"/> where the probe's failure is certain to be the payment's
    /// too; otherwise warns, and the payment goes on (LND may split it into parts where the one-part probe found
    /// nothing).</summary>
    private static async Task RequireNoRouteUncertainAsync(
        ILightningNode node, PaymentFailureReason reason, long amountSat, long feeLimitSat, IProgressLog log, string contractId, PaymentKind kind, CancellationToken cancellationToken)
    {
        List<ChannelSummary> channels;
        try
        {
            channels = (await node.ListChannelsAsync(cancellationToken).ConfigureAwait(false)).Where(c => c.Active).ToList();
        }
        catch (LightningException e)
        {
            log.Log(LogLevel.Warning, $"Contract {contractId}: the route probe found no route ({Describe(reason)}), and your node's channels could not be read ({e.Message}); paying anyway, held to the fee limit of {feeLimitSat} sat.");
            return;
        }

        var total = channels.Aggregate(0L, (sum, c) => PaymentCeiling.MostCostSat(sum, c.SpendableSat));
        var largest = channels.Count == 0 ? 0 : channels.Max(c => c.SpendableSat);
        if (total < amountSat)
        {
            throw new PurchaseException(PurchaseError.NoRoute,
                $"Your node cannot send {amountSat} sat: its active channels can send {total} sat in all. Nothing was paid.",
                contractId: contractId, kind: kind);
        }

        if (largest >= PaymentCeiling.MostCostSat(amountSat, feeLimitSat))
        {
            // One channel could carry the whole payment and its fees, as the probe's one part would: the payment's
            // own search finds no more than the probe did.
            throw new PurchaseException(PurchaseError.NoRoute,
                $"Your node found no route to the seller for {amountSat} sat ({Describe(reason)}) with a routing fee of at most {feeLimitSat} sat. Nothing was paid.",
                contractId: contractId, kind: kind);
        }

        log.Log(LogLevel.Warning, $"Contract {contractId}: the route probe, one part, found no route for {amountSat} sat ({Describe(reason)}); no channel of yours can send it alone (the largest can send {largest} sat), so paying anyway, in parts where your node splits it.");
    }

    /// <summary>What the buyer's node expects paying <paramref name="amountSat"/> to <paramref name="sellerPubKey"/>
    /// to cost, from its own graph (nothing is sent); null when it cannot tell, or when
    /// <paramref name="cancellationToken"/> fired first (the caller's own bound: a slow node tells nothing). For
    /// showing, never for deciding: a seller reached only through an invoice's route hints has no route in the graph.</summary>
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
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
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
