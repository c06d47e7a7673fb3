using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Hold invoices after the fact: what a seller that died between recording and settling left held is settled,
/// what will not be honoured is cancelled (which refunds a payment still held).
/// </summary>
internal sealed class HoldInvoiceSettlement(ILightningNode node, SoldContracts contracts, PeerProvisioning provisioning, IProgressLog log)
{
    /// <summary>Completes what a seller that died between recording and settling left undone: an activation or a
    /// refresh whose invoice is still held is settled now. An activated contract whose invoice was cancelled while
    /// the seller was down (it lapsed, refunding the buyer) was never paid for, and is cancelled too. An activation
    /// or refresh its buyer did not claim by the claim deadline is taken back: the invoice is cancelled (refunding
    /// the buyer) and the peer removed, or the refresh's time withdrawn. Called with the contracts' lock held.</summary>
    public async Task<SoldContract> FinishAsync(SoldContract contract, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (contract.AwaitsClaim)
        {
            if (contract.ClaimDeadline > now && contract.ExpiresAt > now && await IsHeldAsync(contract.PaymentHash, cancellationToken).ConfigureAwait(false))
            {
                return contract;
            }

            // The buyer never claimed (or its payment is gone): the seller cannot settle, so it stops serving.
            // The tunnel goes before the money: a refunded buyer must not keep it should removing fail.
            await provisioning.RemovePeerAsync(contract, cancellationToken).ConfigureAwait(false);
            await CancelQuietlyAsync(contract.PaymentHash, "the buyer never claimed", cancellationToken).ConfigureAwait(false);
            contract = contracts.Save(contract.Cancelled());
            log.Log(LogLevel.Warning, $"Contract {contract.Id}: its buyer did not claim by {contract.ClaimDeadline:u}; invoice cancelled (buyer refunded) and peer removed.");
        }
        else if (contract.State == SoldContractState.Active && !contract.InvoiceSettled)
        {
            var invoice = await node.LookupInvoiceAsync(Convert.FromHexString(contract.PaymentHash), cancellationToken).ConfigureAwait(false);
            if (invoice?.State == InvoiceState.Accepted)
            {
                await node.SettleInvoiceAsync(Convert.FromHexString(contract.Preimage), cancellationToken).ConfigureAwait(false);
                log.Log(LogLevel.Info, $"Contract {contract.Id}: settled the invoice a restart had left held.");
            }

            if (invoice?.State is InvoiceState.Accepted or InvoiceState.Settled)
            {
                contract = contracts.Save(contract.InvoiceWasSettled());
            }
            else
            {
                // Not paid for, so not served: the peer goes and (with the save) its address returns to the pool.
                await provisioning.RemovePeerAsync(contract, cancellationToken).ConfigureAwait(false);
                contract = contracts.Save(contract.Cancelled());
                log.Log(LogLevel.Warning, $"Contract {contract.Id}: activated, but its invoice was never paid ({invoice?.State.ToString() ?? "missing"}); cancelled and its peer removed.");
            }
        }

        if (contract.Refresh is { Applied: true, AwaitsClaim: true } unclaimed)
        {
            if (unclaimed.ClaimDeadline <= now || !await IsHeldAsync(unclaimed.PaymentHash, cancellationToken).ConfigureAwait(false))
            {
                // The time taken back is taken back from the firewall's admission first, then the money returned.
                var withdrawn = contract.RefreshWithdrawn();
                await provisioning.FollowExpiryAsync(withdrawn, cancellationToken).ConfigureAwait(false);
                await CancelQuietlyAsync(unclaimed.PaymentHash, "the buyer never claimed the refresh", cancellationToken).ConfigureAwait(false);
                contract = contracts.Save(withdrawn);
                log.Log(LogLevel.Warning, $"Contract {contract.Id}: refresh not claimed by {unclaimed.ClaimDeadline:u}; invoice cancelled, time withdrawn (expires {contract.ExpiresAt:u}).");
            }
        }
        else if (contract.Refresh is { Applied: true } applied)
        {
            var settled = await SettledAsync(applied.PaymentHash, applied.Preimage, cancellationToken).ConfigureAwait(false);
            contract = contracts.Save(contract.RefreshCleared(settled));
        }

        return contract;
    }

    /// <summary>Settles the invoice when it is held; true when it is settled now or was already (money received),
    /// false when it was cancelled or never paid.</summary>
    public async Task<bool> SettledAsync(string paymentHash, string preimage, CancellationToken cancellationToken)
    {
        if (await SettleIfHeldAsync(paymentHash, preimage, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return (await node.LookupInvoiceAsync(Convert.FromHexString(paymentHash), cancellationToken).ConfigureAwait(false))?.State == InvoiceState.Settled;
    }

    /// <summary>Whether the invoice for <paramref name="paymentHash"/> is paid and held (ACCEPTED).</summary>
    public async Task<bool> IsHeldAsync(string paymentHash, CancellationToken cancellationToken) =>
        (await node.LookupInvoiceAsync(Convert.FromHexString(paymentHash), cancellationToken).ConfigureAwait(false))?.State == InvoiceState.Accepted;

    /// <summary>Refuses to act on a payment that is not held: "not yet" (<see cref="ProtocolErrorCode.PaymentNotYetHeld"/>)
    /// while the invoice is open, since on a real network a payment is in flight at the buyer's node before its last
    /// part reaches this one; "not paid" (<see cref="ProtocolErrorCode.NotPaid"/>) when it was cancelled or is unknown.</summary>
    /// <param name="what">the invoice, for the message ("The hold invoice").</param>
    public async Task RequireHeldAsync(string paymentHash, string what, CancellationToken cancellationToken)
    {
        var invoice = await node.LookupInvoiceAsync(Convert.FromHexString(paymentHash), cancellationToken).ConfigureAwait(false);
        switch (invoice?.State)
        {
            case InvoiceState.Accepted:
                return;
            case InvoiceState.Open:
                throw new ProtocolException(ProtocolErrorCode.PaymentNotYetHeld, $"{what} has not been paid in full yet; ask again.");
            default:
                throw new ProtocolException(ProtocolErrorCode.NotPaid, $"{what} has not been paid.");
        }
    }

    /// <summary>Settles a hold invoice whose key is <paramref name="preimage"/>.</summary>
    public Task SettleAsync(string preimage, CancellationToken cancellationToken) =>
        node.SettleInvoiceAsync(Convert.FromHexString(preimage), cancellationToken);

    /// <summary>Settles a hold invoice that is ACCEPTED (paid and held); says whether it did.</summary>
    public async Task<bool> SettleIfHeldAsync(string paymentHash, string preimage, CancellationToken cancellationToken)
    {
        if (!await IsHeldAsync(paymentHash, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await SettleAsync(preimage, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Cancels an invoice whose payment is held, refunding the buyer. Not cancellable by the caller: once
    /// the seller has decided not to deliver, the buyer's money must go back.</summary>
    public Task RefundAsync(string paymentHash) => node.CancelInvoiceAsync(Convert.FromHexString(paymentHash), CancellationToken.None);

    /// <summary>Cancels an invoice that will not be honoured: unpaid, it can no longer be paid; held, the payment
    /// returns to the buyer. An invoice already cancelled or gone is no error here.</summary>
    public async Task CancelQuietlyAsync(string paymentHash, string why, CancellationToken cancellationToken)
    {
        try
        {
            await node.CancelInvoiceAsync(Convert.FromHexString(paymentHash), cancellationToken).ConfigureAwait(false);
        }
        catch (LightningException e)
        {
            log.Log(LogLevel.Debug, $"Cancelling the invoice {paymentHash[..16]}… ({why}): {e.Message}");
        }
    }
}
