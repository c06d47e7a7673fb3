using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Selling;

/// <summary>
/// At most one wait for a payment's arrival (<see cref="PaymentArrival"/>) per contract at a time. Activates for the
/// payment already waited for (the buyer's new request while its earlier one waits, a resend after a lost answer)
/// share that wait instead of starting their own; an activate of the same contract for another payment hash is told
/// at once that there is no wait for it. So a buyer cannot make the seller's node be asked about invoices by more
/// waits than it has contracts awaiting a payment (at most <see cref="SellerOptions.MaxUnpaidPerPeer"/> unpaid ones,
/// and those with a refresh offered), however often it sends.
/// </summary>
internal sealed class PaymentArrivalWaits(ILightningNode node, TimeSpan bound)
{
    private readonly Dictionary<(string Buyer, string ContractId), (string Hash, Task<bool> Arrival)> _waits = [];
    private readonly object _gate = new();

    /// <summary>True once the payment is held, false when it is not (see <see cref="PaymentArrival.WaitAsync"/>);
    /// null, without waiting, when a wait for another payment of this contract is under way.</summary>
    /// <param name="cancellationToken">ends this caller's waiting; the shared wait itself ends with the seller
    /// (all of a seller's requests carry its stopping token, the first caller's included).</param>
    public async Task<bool?> WaitAsync(string buyer, string contractId, string paymentHashHex, CancellationToken cancellationToken)
    {
        var key = (buyer, contractId);
        var hash = paymentHashHex.ToLowerInvariant();
        var mine = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        (string Hash, Task<bool> Arrival) running;
        lock (_gate)
        {
            if (!_waits.TryGetValue(key, out running))
            {
                _waits[key] = (hash, mine.Task);
            }
        }

        if (running.Arrival is not null)
        {
            return running.Hash == hash ? await running.Arrival.WaitAsync(cancellationToken).ConfigureAwait(false) : null;
        }

        try
        {
            var arrived = await PaymentArrival.WaitAsync(node, hash, bound, cancellationToken).ConfigureAwait(false);
            Forget(key);
            mine.SetResult(arrived);
        }
        catch (OperationCanceledException e)
        {
            Forget(key);
            mine.SetCanceled(e.CancellationToken);
        }
        catch (Exception e)
        {
            Forget(key);
            mine.SetException(e);
        }

        return await mine.Task.ConfigureAwait(false);
    }

    // Before the result is given: an activate arriving after it starts a wait of its own rather than joining one that
    // has ended.
    private void Forget((string, string) key)
    {
        lock (_gate)
        {
            _waits.Remove(key);
        }
    }
}
