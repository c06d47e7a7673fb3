using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>
/// More time on one bought tunnel (RefreshContract): the seller's refresh invoice checked, recorded before it is
/// paid, paid at most once, and activated while held. A refresh an earlier run recorded and may have paid is
/// finished, never paid again; one that was never made no longer holds later runs.
/// </summary>
public sealed class TunnelRefresh(ILightningNode node, SellerLink link, BoughtContracts contracts, IProgressLog log)
{
    private readonly PaymentOnce _payment = new(node, log);

    /// <summary>Refreshes the contract <paramref name="contractId"/>, choosing and paying under the store's lock.</summary>
    public async Task<BoughtContract> RefreshAsync(string contractId, TimeSpan duration, BuyerOptions options, CancellationToken cancellationToken)
    {
        using var locked = await contracts.LockAsync(cancellationToken, log).ConfigureAwait(false);
        return await RefreshLockedAsync(contracts.Get(contractId), duration, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The refresh itself; the caller holds the store's lock and has read <paramref name="contract"/> under it.</summary>
    internal async Task<BoughtContract> RefreshLockedAsync(BoughtContract contract, TimeSpan duration, BuyerOptions options, CancellationToken cancellationToken)
    {
        contract = contract.RequireTunnelOnThisMachine();

        var seller = new SellerNode(contract.SellerPubKey, contract.SellerNodeAddress);
        var myPubKey = (await node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        await link.ConnectAsync(seller, cancellationToken).ConfigureAwait(false);
        if (contract.RefreshBeingPaid is { } earlier)
        {
            // An earlier run paid (or began paying) for a refresh and stopped before recording it: finish that one.
            var earlierPayment = await node.TrackPaymentAsync(Convert.FromHexString(earlier.PaymentHash), waitForFinal: false, cancellationToken).ConfigureAwait(false);
            if (earlierPayment is { Status: PaymentStatus.InFlight or PaymentStatus.Succeeded })
            {
                log.Log(LogLevel.Verbose, $"Contract {contract.Id}: a refresh paid earlier is {earlierPayment.Status}; finishing it instead of paying again.");
                return await FinishAsync(contract, seller, paying: null, options, cancellationToken).ConfigureAwait(false);
            }

            // Never made, or failed: nothing of it stands, and it must not hold later runs to it.
            contract = contracts.Save(contract.RefreshAbandoned());
        }

        var asked = new RefreshRequest(contract.Id, (long)duration.TotalSeconds);
        var offer = await link.CallAsync<RefreshResponse>(seller, PeerProtocol.Refresh, asked, options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        QuoteCheck.RequireRefresh(offer, asked);
        PaymentCeiling.RequireRefresh(contract, duration, offer.PriceSat, options);

        var feeLimit = options.MaxTotalSat is { } left ? Math.Min(options.FeeLimitSat, left - offer.PriceSat) : options.FeeLimitSat;

        var decoded = await InvoiceCheck.DecodeAsync(node, offer.PaymentRequest, cancellationToken).ConfigureAwait(false);
        var hashHex = Convert.ToHexString(decoded.PaymentHash).ToLowerInvariant();
        // A refresh's terms name its own invoice's payment hash, so the invoice is read before they can be checked.
        var terms = new ContractTerms(contract.Id, contract.SellerPubKey, myPubKey, contract.BuyerWireGuardKey, offer.PriceSat,
            (long)duration.TotalSeconds, hashHex, "refresh");
        InvoiceCheck.Require(decoded, contract.SellerPubKey, offer.PriceSat, terms.DescriptionHash());

        // Recorded before paying, as for a purchase: a run that dies from here on is finished by the next run.
        contract = contracts.Save(contract.RefreshRecorded(new RefreshPayment(hashHex, offer.PriceSat, (long)duration.TotalSeconds)));
        var paying = await _payment.StartUnlessAttemptedAsync(decoded.PaymentHash, offer.PaymentRequest, feeLimit, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(contract, seller, paying, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BoughtContract> FinishAsync(BoughtContract contract, SellerNode seller, Task<PaymentResult>? paying, BuyerOptions options, CancellationToken cancellationToken)
    {
        var refresh = contract.RefreshBeingPaid!;
        var hash = Convert.FromHexString(refresh.PaymentHash);
        var held = await _payment.WaitUntilHeldAsync(hash, paying, contract.Id, PaymentKind.Refresh, cancellationToken).ConfigureAwait(false);
        if (held.Status == PaymentStatus.Failed)
        {
            contracts.Save(contract.RefreshAbandoned());
            throw new PurchaseException(PurchaseError.PaymentFailed, $"The refresh payment for {contract.Id} failed ({held.FailureReason}); nothing was spent.", contractId: contract.Id);
        }

        DateTimeOffset expiresAt;
        try
        {
            if (held.Status == PaymentStatus.Succeeded)
            {
                // Settled already: the seller added the time; only its new expiry is missing here.
                var status = await link.CallAsync<StatusResponse>(seller, PeerProtocol.Status,
                    new StatusRequest(contract.Id), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
                expiresAt = DateTimeOffset.FromUnixTimeSeconds(status.ExpiresAt);
            }
            else
            {
                var activation = await link.CallAsync<ActivateResponse>(seller, PeerProtocol.Activate,
                    new ActivateRequest(contract.Id, refresh.PaymentHash), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
                expiresAt = DateTimeOffset.FromUnixTimeSeconds(activation.ExpiresAt);
            }
        }
        catch (PurchaseException e)
        {
            // The refresh stays recorded: the next run finishes it. Say whether the money already moved.
            var now = held.Status == PaymentStatus.Succeeded
                ? held
                : await PaymentOnce.FinalOrNullAsync(paying, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            throw new PurchaseException(e.Error, $"The refresh of contract {contract.Id} was not finished: {e.Message}", e, contract.Id,
                moneyMoved: now?.Status == PaymentStatus.Succeeded, kind: PaymentKind.Refresh);
        }

        var settled = held.Status == PaymentStatus.Succeeded ? held : await _payment.FinalAsync(hash, paying, cancellationToken).ConfigureAwait(false);
        if (settled is not { Status: PaymentStatus.Succeeded })
        {
            throw new PurchaseException(PurchaseError.PaymentUnfinished,
                $"The seller added the time to {contract.Id}, but the refresh payment did not complete; running the refresh again finishes it.",
                contractId: contract.Id, kind: PaymentKind.Refresh);
        }

        var refreshed = contracts.Save(contract.Refreshed(expiresAt, settled));
        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: refreshed for {refresh.PriceSat} sat + {settled.FeeSat} sat fee; now expires {refreshed.ExpiresAt:u}.");
        return refreshed;
    }
}
