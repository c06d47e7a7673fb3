using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// The buyer's payment is held: the seller adds the buyer's peer and records the contract active. When the buyer
/// made the preimage (version 2) the invoice stays held until the buyer, having checked the tunnel, claims
/// (<see cref="Claim"/>) or the claim window closes; under version 1 the seller settles at once. When the peer cannot
/// be added nothing was delivered, so the invoice is cancelled and the buyer refunded. An activate for a refresh's
/// invoice goes to <see cref="Extension"/>; an activate for a contract already active gives its tunnel again to a
/// buyer that proves payment, or whose claim is still awaited (or completes a settle a crash interrupted).
/// </summary>
internal sealed class Activation(
    ILightningNode node,
    SoldContracts contracts,
    HoldInvoiceSettlement settlement,
    PeerProvisioning provisioning,
    Extension extension,
    SellerOptions options,
    TimeProvider clock,
    IProgressLog log)
{
    private readonly PaymentArrivalWaits _arrivals = new(node, options.PaymentArrivalWait);

    /// <summary>Activates, or, while the buyer's payment is still on its way (its parts arriving over a multi-hop
    /// route), waits up to <see cref="SellerOptions.PaymentArrivalWait"/> for it to be held and activates then. The
    /// wait is outside the contracts' lock, so other buyers' requests and the expiry round go on meanwhile; the
    /// contract is read again under the lock afterwards. Still not held: "not yet" (1012), which the buyer asks
    /// again. Activates for the payment already waited for share that wait; one for another payment of a contract
    /// being waited for is answered "not yet" at once (<see cref="PaymentArrivalWaits"/>).</summary>
    public async Task<ActivateResponse> ActivateAsync(string buyer, ActivateRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await ActivateOnceAsync(buyer, request, cancellationToken).ConfigureAwait(false);
        }
        catch (ProtocolException e) when (e.Code == ProtocolErrorCode.PaymentNotYetHeld)
        {
            var arrived = await _arrivals.WaitAsync(buyer, request.ContractId, request.PaymentHash, cancellationToken).ConfigureAwait(false);
            if (arrived is null)
            {
                log.Log(LogLevel.Debug, $"Contract {request.ContractId}: another payment of it is being waited for; answering \"not yet\" at once.");
                throw;
            }

            log.Log(LogLevel.Debug, $"Contract {request.ContractId}: {(arrived.Value ? "the payment arrived while the buyer waited" : "the payment did not arrive in time")}; answering.");

            // Once more under the lock, whatever the wait saw: the contract may have changed meanwhile, and the answer
            // is the invoice's state now (held: activated; still open: "not yet"; cancelled: "not paid").
            return await ActivateOnceAsync(buyer, request, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ActivateResponse> ActivateOnceAsync(string buyer, ActivateRequest request, CancellationToken cancellationToken)
    {
        using (await contracts.LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var contract = contracts.SoldTo(buyer, request.ContractId);
            var hash = request.PaymentHash.ToLowerInvariant();
            if (contract.Refresh is { } refresh && refresh.PaymentHash == hash)
            {
                return await extension.ApplyAsync(contract, refresh, cancellationToken).ConfigureAwait(false);
            }

            if (hash != contract.PaymentHash)
            {
                throw new ProtocolException(ProtocolErrorCode.NotPaid, "That payment hash belongs to no invoice of this contract.");
            }

            if (contract.State == SoldContractState.Active)
            {
                return await AgainAsync(contract, request, cancellationToken).ConfigureAwait(false);
            }

            if (contract.State != SoldContractState.AwaitingPayment)
            {
                throw new ProtocolException(ProtocolErrorCode.ContractExpired, $"The contract is {contract.State}.");
            }

            await settlement.RequireHeldAsync(hash, "The hold invoice", cancellationToken).ConfigureAwait(false);

            var now = clock.GetUtcNow();
            var activated = contract.Activated(now.AddSeconds(contract.DurationSeconds), now.Add(options.ClaimWindow));
            try
            {
                await provisioning.AddPeerAsync(activated, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WireGuardException or IOException)
            {
                // Nothing was delivered, so nothing is charged: cancelling the hold invoice refunds the buyer. An
                // admission made before the step that failed is taken back first.
                await provisioning.RevokeQuietlyAsync(activated, cancellationToken).ConfigureAwait(false);
                await settlement.RefundAsync(hash).ConfigureAwait(false);
                contracts.Save(contract.Cancelled());
                log.Log(LogLevel.Warning, $"Contract {contract.Id}: provisioning failed ({e.Message}); invoice cancelled, buyer refunded.");
                throw new ProtocolException(ProtocolErrorCode.ProvisioningFailed, "The seller could not set up the tunnel; your payment was refunded.");
            }

            // Record before settling: a crash between the two leaves an active, unsettled contract whose invoice is
            // still ACCEPTED, which the next round or start settles (HoldInvoiceSettlement.FinishAsync) or the
            // buyer's retry completes — never a paid, unrecorded one.
            contracts.Save(activated);
            if (activated.AwaitsClaim)
            {
                log.Log(LogLevel.Info, $"Contract {contract.Id}: peer added; awaiting the buyer's claim until {activated.ClaimDeadline:u}.");
                return activated.Tunnel();
            }

            await settlement.SettleAsync(contract.Preimage, cancellationToken).ConfigureAwait(false);
            var settled = contracts.Save(activated.InvoiceWasSettled());
            log.Log(LogLevel.Info, $"Contract {contract.Id} active until {settled.ExpiresAt:u}; invoice settled.");
            return settled.Tunnel();
        }
    }

    private async Task<ActivateResponse> AgainAsync(SoldContract contract, ActivateRequest request, CancellationToken cancellationToken)
    {
        // Awaiting the buyer's claim: the buyer asks again (its answer was lost, or it restarted) while its payment is
        // still held; the held payment is what the tunnel is given for.
        if (contract.AwaitsClaim)
        {
            return contract.Tunnel();
        }

        // Recorded active but not settled (this seller died in between): the buyer's held payment is its proof, and
        // settling completes the purchase.
        if (!contract.InvoiceSettled && await settlement.SettleIfHeldAsync(contract.PaymentHash, contract.Preimage, cancellationToken).ConfigureAwait(false))
        {
            return contracts.Save(contract.InvoiceWasSettled()).Tunnel();
        }

        // Already active: the buyer lost its configuration and proves payment with the preimage.
        if (request.Preimage is null || !string.Equals(request.Preimage, contract.Preimage, StringComparison.OrdinalIgnoreCase))
        {
            throw new ProtocolException(ProtocolErrorCode.NotPaid, "The contract is active; send the payment preimage to fetch its configuration again.");
        }

        return contract.Tunnel();
    }
}
