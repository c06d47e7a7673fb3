using ImpVpn.Core.Diagnostics;

namespace ImpVpn.Core.Selling;

/// <summary>
/// One pass over the contracts that need attention now, found in the index by when they next do: expired contracts
/// lose their peer, lapsed invoices are cancelled, and what a failed settle left held is settled. Each contract is
/// looked at again under the contracts' lock before anything is done, so a refresh or an activation a handler has
/// just recorded is seen, never overwritten.
/// </summary>
internal sealed class ExpiryRound(SoldContracts contracts, HoldInvoiceSettlement settlement, PeerProvisioning provisioning, TimeProvider clock, IProgressLog log)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var id in contracts.DueAt(clock.GetUtcNow()))
        {
            using (await contracts.LockAsync(cancellationToken).ConfigureAwait(false))
            {
                // The due list was taken without the lock: a handler may have changed the contract since.
                if (contracts.FindLive(id) is { } current && current.IsDueAt(clock.GetUtcNow()))
                {
                    var settled = await settlement.FinishAsync(current, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                    await ExpireAsync(settled, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task ExpireAsync(SoldContract contract, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (contract.State == SoldContractState.Active && contract.ExpiresAt <= now)
        {
            await provisioning.RemovePeerAsync(contract, cancellationToken).ConfigureAwait(false);
            if (contract.Refresh is { } unpaid && (!unpaid.Applied || unpaid.AwaitsClaim))
            {
                // Never paid, or paid and never claimed before the time ran out: a payment still held goes back.
                await settlement.CancelQuietlyAsync(unpaid.PaymentHash, "the contract expired", cancellationToken).ConfigureAwait(false);
            }

            contracts.Save(contract.Expired());
            log.Log(LogLevel.Info, $"Contract {contract.Id} expired; peer removed.");
        }
        else if (contract.Refresh is { Applied: false } lapsed
            && (lapsed.InvoiceExpiresAt <= now || contract.State != SoldContractState.Active))
        {
            // Never activated in time, or the contract ended first: a payment still held goes back to the buyer.
            await settlement.CancelQuietlyAsync(lapsed.PaymentHash, "the refresh lapsed", cancellationToken).ConfigureAwait(false);
            contracts.Save(contract.RefreshCleared(settled: false));
        }
        else if (contract.State == SoldContractState.AwaitingPayment && contract.QuoteExpiresAt <= now)
        {
            await settlement.CancelQuietlyAsync(contract.PaymentHash, "the quote lapsed", cancellationToken).ConfigureAwait(false);
            contracts.Save(contract.Cancelled());
        }
    }
}
