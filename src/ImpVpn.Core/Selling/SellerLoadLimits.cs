using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Keeps the seller fair under load, so that a few peers cannot hold what every buyer needs:
/// <list type="bullet">
/// <item>a peer holds at most <see cref="SellerOptions.MaxUnpaidPerPeer"/> accepted, unpaid contracts: a further
/// accept cancels that peer's own oldest unpaid one (its invoice cancelled, its address released), so a buyer whose
/// earlier attempts it abandoned (a payment that failed, an invoice it refused) is not locked out until they lapse,
/// and a flood of accepts from one peer never holds more than its share. Only when all of them are paid and held
/// is the accept refused (1006);</item>
/// <item>when the seller's open slots (<see cref="SellerOptions.MaxOpenContracts"/>) or its address pool are full,
/// a peer holding fewer unpaid contracts than the peers holding the most takes the room of the oldest unpaid
/// contract among those: its invoice is cancelled (it cannot be paid any more) and its address released at once,
/// instead of when its quote lapses. A contract whose invoice is already paid and held is never the one;</item>
/// <item>a contract has at most <see cref="SellerOptions.RefreshInvoicesPerContractPerHour"/> refresh invoices
/// issued in any hour (1005 beyond), since each is an invoice on the seller's node.</item>
/// </list>
/// Called by the handlers with the contracts' lock held.
/// </summary>
internal sealed class SellerLoadLimits(
    SoldContracts contracts,
    AddressPool pool,
    HoldInvoiceSettlement settlement,
    SellerOptions options,
    TimeProvider clock,
    IProgressLog log)
{
    private static readonly TimeSpan RefreshWindow = TimeSpan.FromHours(1);

    // A few candidates at most: each costs one invoice lookup, and all of them being paid means the seller is
    // simply busy with buyers who pay.
    private const int EvictionCandidates = 3;

    private readonly Dictionary<string, Queue<DateTimeOffset>> _refreshes = new(StringComparer.Ordinal);

    /// <summary>Refuses <paramref name="buyer"/> over its share of unpaid contracts, and makes room for it when the
    /// seller's open slots or pool are full of other peers' unpaid contracts.</summary>
    public async Task MakeRoomForAcceptAsync(string buyer, CancellationToken cancellationToken)
    {
        var unpaid = contracts.Unpaid.ToList();
        var own = unpaid.Count(c => c.BuyerPubKey == buyer);
        foreach (var oldest in unpaid.Where(c => c.BuyerPubKey == buyer).OrderBy(c => c.CreatedAt).ToList())
        {
            if (own < options.MaxUnpaidPerPeer)
            {
                break;
            }

            if (await CancelUnlessHeldAsync(oldest, "the same buyer accepted another quote", cancellationToken).ConfigureAwait(false))
            {
                unpaid.Remove(oldest);
                own--;
            }
        }

        if (own >= options.MaxUnpaidPerPeer)
        {
            throw new ProtocolException(ProtocolErrorCode.CapacityReached,
                $"You hold {own} contracts with this seller whose payment is under way, the most it allows; finish one first.");
        }

        if ((contracts.Open < options.MaxOpenContracts && pool.HasFree) || contracts.Active >= options.MaxActiveContracts)
        {
            return;
        }

        var perPeer = unpaid.GroupBy(c => c.BuyerPubKey).ToList();
        var most = perPeer.Count == 0 ? 0 : perPeer.Max(g => g.Count());
        if (most <= own)
        {
            return;
        }

        var candidates = perPeer.Where(g => g.Count() == most).SelectMany(g => g).OrderBy(c => c.CreatedAt).Take(EvictionCandidates);
        foreach (var candidate in candidates)
        {
            if (await CancelUnlessHeldAsync(candidate, $"room made for {buyer[..16]}…", cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Cancels an unpaid contract (its invoice, then its record, which releases its address), unless its
    /// payment is already held; says whether it did.</summary>
    private async Task<bool> CancelUnlessHeldAsync(SoldContract contract, string why, CancellationToken cancellationToken)
    {
        if (await settlement.IsHeldAsync(contract.PaymentHash, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // Cancelled before the record changes: a payment arriving in between is returned to its buyer.
        await settlement.CancelQuietlyAsync(contract.PaymentHash, why, cancellationToken).ConfigureAwait(false);
        contracts.Save(contract.Cancelled());
        log.Log(LogLevel.Info, $"Contract {contract.Id} of {contract.BuyerPubKey[..16]}… cancelled unpaid: {why}.");
        return true;
    }

    /// <summary>Counts one more refresh invoice for <paramref name="contractId"/>, or refuses it (1005) when the
    /// contract has had its hourly share.</summary>
    public void CountRefreshInvoice(string contractId)
    {
        var now = clock.GetUtcNow();
        lock (_refreshes)
        {
            // Forget what left the window, for every contract: the state is bounded by the live contracts.
            foreach (var (id, times) in _refreshes.ToList())
            {
                while (times.Count > 0 && now - times.Peek() >= RefreshWindow)
                {
                    times.Dequeue();
                }

                if (times.Count == 0)
                {
                    _refreshes.Remove(id);
                }
            }

            if (!_refreshes.TryGetValue(contractId, out var issued))
            {
                issued = new Queue<DateTimeOffset>();
                _refreshes[contractId] = issued;
            }

            if (issued.Count >= options.RefreshInvoicesPerContractPerHour)
            {
                throw new ProtocolException(ProtocolErrorCode.RateLimited, "This contract has had as many refresh invoices as the seller issues in an hour; pay the last one or try later.");
            }

            issued.Enqueue(now);
        }
    }
}
