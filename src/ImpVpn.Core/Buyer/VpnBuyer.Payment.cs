using System.Security.Cryptography;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buyer;

/// <summary>The buyer's payment: the invoice checked before anything is paid, the hold invoice paid at most once, the seller asked to activate while the payment is held.</summary>
public sealed partial class VpnBuyer
{
    /// <summary>The seller's invoice as the user's own node reads it.</summary>
    private async Task<DecodedPaymentRequest> DecodeSellerInvoiceAsync(string paymentRequest, CancellationToken cancellationToken)
    {
        try
        {
            return await _node.DecodePaymentRequestAsync(paymentRequest, cancellationToken).ConfigureAwait(false);
        }
        catch (LightningRpcException e)
        {
            // Malformed, or for another network: the seller's invoice, not the user's node, is at fault.
            throw new PurchaseException(PurchaseError.InvoiceMismatch, $"Your node cannot use the seller's invoice ({e.Message}). Nothing was paid.", e);
        }
    }

    /// <summary>Refuses, before anything is paid, an invoice that does not pay the seller, asks another amount or
    /// does not commit to the agreed terms.</summary>
    private static void CheckInvoice(DecodedPaymentRequest decoded, string seller, long priceSat, byte[] termsHash)
    {
        if (!string.Equals(decoded.Destination, seller, StringComparison.OrdinalIgnoreCase))
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch, $"The invoice pays {decoded.Destination}, not the seller {seller}. Nothing was paid.");
        }

        if (decoded.AmountMsat != priceSat * 1000)
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch, $"The invoice asks {decoded.AmountMsat / 1000.0} sat, not the agreed {priceSat} sat. Nothing was paid.");
        }

        if (!decoded.DescriptionHash.AsSpan().SequenceEqual(termsHash))
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch, "The invoice's description hash does not commit to the agreed terms. Nothing was paid.");
        }
    }

    private async Task<ContractRecord> PayAndActivateAsync(ContractRecord contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        var hash = Convert.FromHexString(contract.PaymentHash);
        var payment = await _node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false);
        Task<PaymentResult>? paying = null;
        if (payment is null || payment.Status == PaymentStatus.Failed)
        {
            _log.Progress(new ProgressUpdate("Buying a tunnel", $"Paying {contract.PriceSat} sat (fee at most {options.FeeLimitSat} sat)", 30));
            _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: paying {contract.PriceSat} sat, routing fee at most {options.FeeLimitSat} sat.");
            paying = _node.PayAsync(new PaymentOrder(contract.PaymentRequest, options.FeeLimitSat, TimeSpan.FromSeconds(60)), cancellationToken);
        }
        else
        {
            _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: the node already has this payment ({payment.Status}); not paying again.");
        }

        // A hold invoice keeps the payment in flight until the seller has set up the tunnel and settled.
        var inFlight = await WaitForPaymentToHoldAsync(hash, paying, cancellationToken).ConfigureAwait(false);
        if (inFlight.Status == PaymentStatus.Failed)
        {
            _store.Save(contract with { State = ContractState.Cancelled });
            throw new PurchaseException(PurchaseError.PaymentFailed, $"The payment failed ({inFlight.FailureReason}); nothing was spent.");
        }

        _log.Progress(new ProgressUpdate("Buying a tunnel", "Payment held; asking the seller to activate", 60));
        _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: payment {inFlight.Status}; asking the seller to add the peer and settle.");
        ActivateResponse activation;
        try
        {
            // Already settled (a run that died after paying): the preimage proves payment to the seller.
            var proof = inFlight.Status == PaymentStatus.Succeeded && inFlight.Preimage is { } preimage
                ? Convert.ToHexString(preimage).ToLowerInvariant()
                : null;
            activation = await CallSellerAsync<ActivateResponse>(contract.PeerPubKey, PeerProtocol.Activate,
                new ActivateRequest(contract.Id, contract.PaymentHash, proof), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (PurchaseException e)
        {
            // The seller did not activate. Its hold invoice was not settled: it will be cancelled (by the seller at
            // once on a provisioning failure, or when it lapses), refunding the payment.
            var final = paying is null ? null : await FinalOrNullAsync(paying, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            _store.Save(contract with { State = final?.Status == PaymentStatus.Failed ? ContractState.Cancelled : ContractState.Paying });
            throw new PurchaseException(PurchaseError.ActivationFailed, e.Message + (final?.Status == PaymentStatus.Failed ? " The payment was refunded." : string.Empty), e);
        }

        var settled = paying is null
            ? await _node.TrackPaymentAsync(hash, waitForFinal: true, cancellationToken).ConfigureAwait(false)
            : await paying.ConfigureAwait(false);
        if (settled is null || settled.Status != PaymentStatus.Succeeded || settled.Preimage is null
            || !SHA256.HashData(settled.Preimage).AsSpan().SequenceEqual(hash))
        {
            throw new PurchaseException(PurchaseError.PaymentFailed, "The seller activated, but the payment did not complete with a valid preimage.", moneyMoved: false);
        }

        var active = Apply(contract, activation) with
        {
            State = ContractState.Active,
            PaidSat = settled.ValueSat,
            FeePaidSat = settled.FeeSat,
            Preimage = Convert.ToHexString(settled.Preimage).ToLowerInvariant(),
        };
        _store.Save(active);
        _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: paid {active.PaidSat} sat + {active.FeePaidSat} sat fee; proof of payment stored. Tunnel {active.BuyerAddress} via {active.Endpoint} until {active.ExpiresAt:u}.");
        return await BringUpAsync(active, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PaymentResult> WaitForPaymentToHoldAsync(byte[] hash, Task<PaymentResult>? paying, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        // The payment is usually in flight within milliseconds: ask again soon, then back off to 50 ms.
        var pause = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            if (paying is { IsCompleted: true })
            {
                if (paying.Exception?.InnerException is LightningRpcException refusal
                    && await _node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false) is null)
                {
                    // The node refused to start the payment at all (an expired invoice, say): nothing left it, so it
                    // is a failed payment like any other and the caller records it as such.
                    _log.Log(LogLevel.Warning, $"Your node refused the payment: {refusal.Message}");
                    return new PaymentResult(hash, PaymentStatus.Failed, PaymentFailureReason.Error, 0, 0, null);
                }

                return await paying.ConfigureAwait(false);
            }

            var state = await _node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false);
            if (state is not null && state.Status is PaymentStatus.InFlight or PaymentStatus.Succeeded or PaymentStatus.Failed)
            {
                return state;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new PurchaseException(PurchaseError.PaymentFailed, "The payment did not start within 60 s.");
            }

            // A payment that ends (fails fast, say) wakes this at once rather than after the pause.
            var delay = Task.Delay(pause, cancellationToken);
            await (paying is null ? delay : Task.WhenAny(paying, delay)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            pause = TimeSpan.FromMilliseconds(Math.Min(50, pause.TotalMilliseconds * 2));
        }
    }

    private static async Task<PaymentResult?> FinalOrNullAsync(Task<PaymentResult> paying, TimeSpan wait)
    {
        try
        {
            return await paying.WaitAsync(wait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private ContractRecord Apply(ContractRecord contract, ActivateResponse activation) => contract with
    {
        SellerWireGuardKey = activation.SellerWireGuardKey,
        Endpoint = activation.Endpoint,
        BuyerAddress = activation.BuyerAddress,
        SellerAddress = activation.SellerAddress,
        AllowedIps = activation.AllowedIps,
        ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(activation.ExpiresAt),
    };
}
