using System.Net;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Seller;

/// <summary>Hold invoices after the fact: settling what a crash left held, cancelling what will not be honoured, and expiring contracts and lapsed invoices.</summary>
public sealed partial class VpnProvider
{
    /// <summary>Completes what a seller that died between recording and settling left undone: an activation or a
    /// refresh whose invoice is still held is settled now. An activated contract whose invoice was cancelled while
    /// the seller was down (it lapsed, refunding the buyer) was never paid for, and is cancelled too.</summary>
    private async Task<ContractRecord> FinishSettlementAsync(ContractRecord contract, CancellationToken cancellationToken)
    {
        if (contract.State == ContractState.Active && !contract.InvoiceSettled)
        {
            var invoice = await _node.LookupInvoiceAsync(Convert.FromHexString(contract.PaymentHash), cancellationToken).ConfigureAwait(false);
            if (invoice?.State == InvoiceState.Accepted)
            {
                await _node.SettleInvoiceAsync(Convert.FromHexString(contract.Preimage!), cancellationToken).ConfigureAwait(false);
                _log.Log(LogLevel.Info, $"Contract {contract.Id}: settled the invoice a restart had left held.");
            }

            contract = invoice?.State is InvoiceState.Accepted or InvoiceState.Settled
                ? contract with { InvoiceSettled = true }
                : contract with { State = ContractState.Cancelled };
            if (contract.State == ContractState.Cancelled)
            {
                // Not paid for, so not served: the peer goes and its address returns to the pool.
                await RemovePeerAsync(contract, cancellationToken).ConfigureAwait(false);
                _pool.Release(IPAddress.Parse(contract.BuyerAddress));
                _log.Log(LogLevel.Warning, $"Contract {contract.Id}: activated, but its invoice was never paid ({invoice?.State.ToString() ?? "missing"}); cancelled and its peer removed.");
            }

            _store.Save(contract);
        }

        if (contract.Refresh is { Applied: true } applied)
        {
            await SettleIfHeldAsync(applied.PaymentHash, applied.Preimage, cancellationToken).ConfigureAwait(false);
            contract = contract with { Refresh = null };
            _store.Save(contract);
        }

        return contract;
    }

    /// <summary>Settles a hold invoice that is ACCEPTED (paid and held); says whether it did.</summary>
    private async Task<bool> SettleIfHeldAsync(string paymentHash, string preimage, CancellationToken cancellationToken)
    {
        var invoice = await _node.LookupInvoiceAsync(Convert.FromHexString(paymentHash), cancellationToken).ConfigureAwait(false);
        if (invoice?.State != InvoiceState.Accepted)
        {
            return false;
        }

        await _node.SettleInvoiceAsync(Convert.FromHexString(preimage), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Cancels an invoice that will not be honoured: unpaid, it can no longer be paid; held, the payment
    /// returns to the buyer. An invoice already cancelled or gone is no error here.</summary>
    private async Task CancelQuietlyAsync(string paymentHash, string why, CancellationToken cancellationToken)
    {
        try
        {
            await _node.CancelInvoiceAsync(Convert.FromHexString(paymentHash), cancellationToken).ConfigureAwait(false);
        }
        catch (LightningException e)
        {
            _log.Log(LogLevel.Debug, $"Cancelling the invoice {paymentHash[..16]}… ({why}): {e.Message}");
        }
    }

    /// <summary>Removes expired tunnels, lets unpaid invoices lapse, and settles what a failed settle left held.
    /// Public so tests and restarts can run it at once.</summary>
    public async Task ExpireAsync(CancellationToken cancellationToken)
    {
        // A first look without the gate finds the few contracts that need something done...
        var due = _store.All(ReportUnreadable)
            .Where(c => c.Role == ContractRole.Seller && NeedsAttention(c, _clock.GetUtcNow()))
            .Select(c => c.Id)
            .ToList();
        foreach (var id in due)
        {
            await _contractGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // ...and each is read again under the gate, where no handler is changing it, before anything is done:
                // a copy read earlier may predate a refresh or an activation the buyer has just paid for.
                if (_store.Find(id) is { } current)
                {
                    var settled = await FinishSettlementAsync(current, cancellationToken).ConfigureAwait(false);
                    await ExpireOneAsync(settled, _clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _contractGate.Release();
            }
        }
    }

    private static bool NeedsAttention(ContractRecord contract, DateTimeOffset now) =>
        (contract.State == ContractState.Active && (!contract.InvoiceSettled || contract.ExpiresAt <= now))
        || contract.Refresh is { Applied: true }
        || (contract.Refresh is { Applied: false } refresh && refresh.InvoiceExpiresAt <= now)
        || (contract.State == ContractState.AwaitingPayment && contract.QuoteExpiresAt <= now);

    private async Task ExpireOneAsync(ContractRecord contract, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (contract.State == ContractState.Active && contract.ExpiresAt <= now)
        {
            await RemovePeerAsync(contract, cancellationToken).ConfigureAwait(false);
            if (contract.Refresh is { Applied: false } unpaid)
            {
                await CancelQuietlyAsync(unpaid.PaymentHash, "the contract expired", cancellationToken).ConfigureAwait(false);
            }

            _store.Save(contract with { State = ContractState.Expired, Refresh = null });
            _pool.Release(IPAddress.Parse(contract.BuyerAddress));
            _log.Log(LogLevel.Info, $"Contract {contract.Id} expired; peer removed.");
        }
        else if (contract.Refresh is { Applied: false } lapsed && lapsed.InvoiceExpiresAt <= now)
        {
            // Never activated in time: a payment still held goes back to the buyer.
            await CancelQuietlyAsync(lapsed.PaymentHash, "the refresh lapsed", cancellationToken).ConfigureAwait(false);
            _store.Save(contract with { Refresh = null });
        }
        else if (contract.State == ContractState.AwaitingPayment && contract.QuoteExpiresAt <= now)
        {
            await CancelQuietlyAsync(contract.PaymentHash, "the quote lapsed", cancellationToken).ConfigureAwait(false);
            _store.Save(contract with { State = ContractState.Cancelled });
            _pool.Release(IPAddress.Parse(contract.BuyerAddress));
        }
    }
}
