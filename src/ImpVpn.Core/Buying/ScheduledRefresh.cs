using ImpVpn.Core.Diagnostics;

namespace ImpVpn.Core.Buying;

/// <summary>
/// A scheduler's run: every bought tunnel that expires within a window is refreshed, within a total budget (fees
/// included). A refresh left unfinished with its payment possibly in flight is charged at the most it may cost (price
/// and fee limit); one an earlier run left unfinished and this run finishes is counted at what it cost. Each tunnel is read again under the store's lock just before it is paid, and left alone when it has
/// changed since it was chosen: two runs started at the same moment refresh it once, the second finding that the
/// first has already moved its expiry. Which tunnels
/// are due is <see cref="BoughtContracts.DueForRefresh"/>; the caller shows (or asks about) those before the run.
/// </summary>
public sealed class ScheduledRefresh(TunnelRefresh refresh, BoughtContracts contracts, IProgressLog log)
{
    /// <summary>Refreshes those of <paramref name="chosen"/> (as they were read when chosen) that are unchanged and
    /// still due when their turn comes. Each tunnel's outcome is returned; one tunnel's failure does not stop the others.</summary>
    public async Task<IReadOnlyList<RefreshOutcome>> RunAsync(
        IReadOnlyList<BoughtContract> chosen, TimeSpan window, TimeSpan duration, RefreshBudget budget, BuyerOptions options, CancellationToken cancellationToken)
    {
        PaymentCeiling.RequireRunBudget(budget);
        var outcomes = new List<RefreshOutcome>();
        foreach (var choice in chosen)
        {
            var id = choice.Id;
            if (budget.LeftSat is <= 0)
            {
                outcomes.Add(RefreshOutcome.Failed(id, new PurchaseException(PurchaseError.BudgetExhausted,
                    $"The budget of {budget.TotalSat} sat is spent; {id} was not refreshed.", contractId: id)));
                continue;
            }

            try
            {
                using var locked = await contracts.LockAsync(cancellationToken, log).ConfigureAwait(false);
                var current = contracts.Find(id);
                if (current is null || !Unchanged(choice, current) || !BoughtContracts.IsDueForRefresh(current, DateTimeOffset.UtcNow, window))
                {
                    log.Log(LogLevel.Verbose, $"Contract {id} changed since this run chose it (another run refreshed it) or is no longer due; skipped.");
                    outcomes.Add(RefreshOutcome.NotDue(id));
                    continue;
                }

                var before = current.PaidSat + current.FeePaidSat;
                var within = options with { MaxTotalSat = budget.LeftSat };
                if (current.RefreshBeingPaid is { } earlier && PaymentCeiling.MostCostSat(earlier.PriceSat, options.FeeLimitFor(earlier.PriceSat)) > budget.LeftSat)
                {
                    // Paid for (or begun) by an earlier run: the money is already on its way, so it is finished
                    // rather than refused, and what it costs is counted against this run.
                    log.Log(LogLevel.Warning, $"Contract {id}: finishing a refresh an earlier run paid for ({earlier.PriceSat} sat and its fee), more than the {budget.LeftSat} sat left of this run's budget; it is counted.");
                }

                BoughtContract refreshed;
                try
                {
                    refreshed = await refresh.RefreshLockedAsync(current, duration, within, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (contracts.Find(id)?.RefreshBeingPaid is { } unfinished)
                {
                    // Still recorded: its payment may be in flight, and a later run finishes it. Charged at the most it
                    // may cost, so the rest of this run cannot spend that money a second time.
                    budget.Spend(PaymentCeiling.MostCostSat(unfinished.PriceSat,
                        unfinished.PaymentHash == current.RefreshBeingPaid?.PaymentHash ? options.FeeLimitFor(unfinished.PriceSat) : within.FeeLimitWithinTotal(unfinished.PriceSat)));
                    throw;
                }

                budget.Spend(refreshed.PaidSat + refreshed.FeePaidSat - before);
                outcomes.Add(RefreshOutcome.Done(refreshed));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcomes.Add(RefreshOutcome.Failed(id, e));
            }
        }

        return outcomes;
    }

    // What a refresh changes: the expiry, and the refresh recorded as being paid.
    private static bool Unchanged(BoughtContract chosen, BoughtContract current) =>
        chosen.ExpiresAt == current.ExpiresAt && chosen.RefreshBeingPaid == current.RefreshBeingPaid && chosen.TunnelRemoved == current.TunnelRemoved;
}

/// <summary>What a scheduled run may spend in all, fees included; null: no total (each refresh still has its own
/// price limit).</summary>
public sealed class RefreshBudget(long? totalSat)
{
    public long? TotalSat { get; } = totalSat;

    public long SpentSat { get; private set; }

    public long? LeftSat => TotalSat - SpentSat;

    public void Spend(long sat) => SpentSat = PaymentCeiling.MostCostSat(SpentSat, sat);
}

/// <summary>One tunnel's result in a scheduled run: refreshed, no longer due, or failed (with why).</summary>
public sealed record RefreshOutcome(string Id, BoughtContract? Refreshed, Exception? Failure)
{
    public static RefreshOutcome Done(BoughtContract refreshed) => new(refreshed.Id, refreshed, null);

    public static RefreshOutcome NotDue(string id) => new(id, null, null);

    public static RefreshOutcome Failed(string id, Exception failure) => new(id, null, failure);
}
