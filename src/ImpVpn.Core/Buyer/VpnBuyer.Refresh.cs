using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buyer;

/// <summary>The buyer's refresh: more time on a contract, recorded before paying and finished (never paid again) by a later run.</summary>
public sealed partial class VpnBuyer
{
    public async Task<ContractRecord> RefreshAsync(string contractId, TimeSpan duration, BuyerOptions options, CancellationToken cancellationToken)
    {
        var contract = _store.Find(ValidContractId(contractId));
        if (contract is null || contract.Role != ContractRole.Buyer)
        {
            throw new PurchaseException(PurchaseError.UnknownContract, $"No contract {contractId} bought from this machine.");
        }

        RefuseRemoved(contract);

        _myPubKey ??= (await _node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        await EnsureConnectedAsync(contract.PeerPubKey, contract.PeerAddress, cancellationToken).ConfigureAwait(false);
        if (contract.RefreshBeingPaid is { } earlier)
        {
            // An earlier run paid (or began paying) for a refresh and stopped before recording it: finish that one.
            var earlierPayment = await _node.TrackPaymentAsync(Convert.FromHexString(earlier.PaymentHash), waitForFinal: false, cancellationToken).ConfigureAwait(false);
            if (earlierPayment is { Status: PaymentStatus.InFlight or PaymentStatus.Succeeded })
            {
                _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: a refresh paid earlier is {earlierPayment.Status}; finishing it instead of paying again.");
                return await FinishRefreshAsync(contract, earlier, paying: null, options, cancellationToken).ConfigureAwait(false);
            }

            // Never made, or failed: nothing of it stands, and it must not hold later runs to it.
            contract = contract with { RefreshBeingPaid = null };
            _store.Save(contract);
        }

        var offer = await CallSellerAsync<RefreshResponse>(contract.PeerPubKey, PeerProtocol.Refresh,
            new RefreshRequest(contract.Id, (long)duration.TotalSeconds), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        if (options.MaxPriceSat is { } max && offer.PriceSat > max)
        {
            throw new PurchaseException(PurchaseError.PriceAboveMaximum, $"The refresh costs {offer.PriceSat} sat; the most you allowed is {max} sat. Nothing was paid.");
        }

        var decoded = await DecodeSellerInvoiceAsync(offer.PaymentRequest, cancellationToken).ConfigureAwait(false);
        var decodedHash = decoded.PaymentHash;
        var hashHex = Convert.ToHexString(decodedHash).ToLowerInvariant();
        // A refresh's terms name its own invoice's payment hash, so the invoice is read before they can be checked.
        var terms = new ContractTerms(contract.Id, contract.PeerPubKey, _myPubKey, contract.BuyerWireGuardKey, offer.PriceSat,
            (long)duration.TotalSeconds, hashHex, "refresh");
        CheckInvoice(decoded, contract.PeerPubKey, offer.PriceSat, terms.DescriptionHash());

        // Recorded before paying, as for a purchase: a run that dies from here on is finished by the next run.
        var refresh = new RefreshPayment(hashHex, offer.PriceSat, (long)duration.TotalSeconds);
        contract = contract with { RefreshBeingPaid = refresh };
        _store.Save(contract);
        var payment = await _node.TrackPaymentAsync(decodedHash, false, cancellationToken).ConfigureAwait(false);
        var paying = payment is null || payment.Status == PaymentStatus.Failed
            ? _node.PayAsync(new PaymentOrder(offer.PaymentRequest, options.FeeLimitSat, TimeSpan.FromSeconds(60)), cancellationToken)
            : null;
        return await FinishRefreshAsync(contract, refresh, paying, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ContractRecord> FinishRefreshAsync(ContractRecord contract, RefreshPayment refresh, Task<PaymentResult>? paying, BuyerOptions options, CancellationToken cancellationToken)
    {
        var hash = Convert.FromHexString(refresh.PaymentHash);
        var held = await WaitForPaymentToHoldAsync(hash, paying, cancellationToken).ConfigureAwait(false);
        if (held.Status == PaymentStatus.Failed)
        {
            _store.Save(contract with { RefreshBeingPaid = null });
            throw new PurchaseException(PurchaseError.PaymentFailed, $"The refresh payment failed ({held.FailureReason}); nothing was spent.");
        }

        DateTimeOffset expiresAt;
        if (held.Status == PaymentStatus.Succeeded)
        {
            // Settled already: the seller added the time; only its new expiry is missing here.
            var status = await CallSellerAsync<StatusResponse>(contract.PeerPubKey, PeerProtocol.Status,
                new StatusRequest(contract.Id), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(status.ExpiresAt);
        }
        else
        {
            var activation = await CallSellerAsync<ActivateResponse>(contract.PeerPubKey, PeerProtocol.Activate,
                new ActivateRequest(contract.Id, refresh.PaymentHash), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(activation.ExpiresAt);
        }

        var settled = held.Status == PaymentStatus.Succeeded ? held
            : paying is not null ? await paying.ConfigureAwait(false)
            : await _node.TrackPaymentAsync(hash, waitForFinal: true, cancellationToken).ConfigureAwait(false);
        if (settled is not { Status: PaymentStatus.Succeeded })
        {
            throw new PurchaseException(PurchaseError.PaymentFailed, "The seller added the time, but the refresh payment did not complete; run the refresh again to finish it.", moneyMoved: false);
        }

        var refreshed = contract with
        {
            ExpiresAt = expiresAt,
            PriceSat = contract.PriceSat + refresh.PriceSat,
            PaidSat = contract.PaidSat + settled.ValueSat,
            FeePaidSat = contract.FeePaidSat + settled.FeeSat,
            RefreshBeingPaid = null,
        };
        _store.Save(refreshed);
        _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: refreshed for {refresh.PriceSat} sat + {settled.FeeSat} sat fee; now expires {refreshed.ExpiresAt:u}.");
        return refreshed;
    }
}
