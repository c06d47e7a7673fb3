using System.Text.Json;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Buying;

/// <summary>
/// A scheduled refresh's budget over a period rather than one run: what the runs of one period spent is kept in the
/// store (an owner-only file), so neither a new run nor a restarted daemon can spend it again. Before a run pays
/// anything, all it may spend is recorded as reserved; the run's real spending replaces the reservation when it
/// ends. A run cut short (a crash, a kill) leaves its reservation, which counts as spent: the budget may go unused
/// for the rest of the period, but is never exceeded. The daemon's API keeps its own ledger (another
/// <paramref name="ledgerName"/>) with many reservations at once (<see cref="TryReserve"/>, <see cref="Settle"/>), so
/// that the two budgets never share one record.
/// </summary>
public sealed class RefreshBudgetPeriod(ContractStore store, long budgetSat, TimeSpan period, TimeProvider? clock = null, string ledgerName = RefreshBudgetPeriod.RefreshLedger)
{
    /// <summary>The scheduled refresh's ledger.</summary>
    public const string RefreshLedger = "refresh-budget.json";

    /// <summary>The daemon API's ledger.</summary>
    public const string ApiLedger = "api-budget.json";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The current period's ledger (started now when there was none or the last one is over).</summary>
    public RefreshSpending Current()
    {
        var now = _clock.GetUtcNow();
        var saved = Load();
        if (saved is null)
        {
            return new RefreshSpending(now, 0, 0);
        }

        if (saved.PeriodStart > now)
        {
            // The clock went back (a wrong clock at boot, a step by NTP): the period recorded is still the current
            // one. Starting a new one here would give the budget again, and once the clock is right, again.
            return saved;
        }

        // Periods follow one another from the first: a daemon stopped over a period boundary starts the right one.
        var elapsed = (now - saved.PeriodStart).Ticks / period.Ticks;
        return elapsed == 0 ? saved : new RefreshSpending(saved.PeriodStart + TimeSpan.FromTicks(elapsed * period.Ticks), 0, 0);
    }

    /// <summary>This run's budget: what the period has left, reserved in the store before it is returned.</summary>
    public RefreshBudget Open()
    {
        var current = Current();
        // A reservation still there was left by a run that never closed: what it might have spent is spent.
        var spent = PaymentCeiling.MostCostSat(current.SpentSat, current.ReservedSat);
        var left = Math.Max(0, budgetSat - spent);
        Save(current with { SpentSat = spent, ReservedSat = left });
        return new RefreshBudget(left);
    }

    /// <summary>Records what <paramref name="run"/> spent (in place of its reservation).</summary>
    public void Close(RefreshBudget run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var current = Current();
        Save(current with { SpentSat = PaymentCeiling.MostCostSat(current.SpentSat, run.SpentSat), ReservedSat = 0 });
    }

    /// <summary>Counts what the ledger still holds as reserved as spent: called once by a process that holds the
    /// ledger before it reserves anything, so that a reservation a crashed process left is never spent again.</summary>
    public void SettleAbandoned()
    {
        var current = Current();
        Save(current with { SpentSat = PaymentCeiling.MostCostSat(current.SpentSat, current.ReservedSat), ReservedSat = 0 });
    }

    /// <summary>Reserves <paramref name="sat"/> for one payment when the period has that much left (spent and
    /// reserved both counted): true and saved, or false with nothing changed. The caller holds the ledger alone and
    /// serialises its calls; <paramref name="heldSat"/> is what it has reserved and not yet settled, carried into a new
    /// period so that payments begun in the last one still count until they settle.</summary>
    public bool TryReserve(long sat, long heldSat)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sat);
        var current = Current();
        var used = PaymentCeiling.MostCostSat(current.SpentSat, heldSat);
        if (PaymentCeiling.MostCostSat(used, sat) > budgetSat)
        {
            return false;
        }

        Save(current with { ReservedSat = heldSat + sat });
        return true;
    }

    /// <summary>Records what one payment really cost, <paramref name="spentSat"/>, in place of its reservation; <paramref name="stillHeldSat"/> is what stays reserved by payments under way.</summary>
    public void Settle(long spentSat, long stillHeldSat)
    {
        var current = Current();
        Save(current with { SpentSat = PaymentCeiling.MostCostSat(current.SpentSat, spentSat), ReservedSat = stillHeldSat });
    }

    /// <summary>When the current period ends.</summary>
    public DateTimeOffset PeriodEnd => Current().PeriodStart + period;

    private RefreshSpending? Load()
    {
        var text = store.ReadSecret(ledgerName);
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<RefreshSpending>(text);
        }
        catch (JsonException e)
        {
            // Guessing would risk spending twice: the operator looks at (or deletes) the file.
            throw new CorruptContractException(store.SecretPath(ledgerName), "not a refresh budget ledger", e);
        }
    }

    private void Save(RefreshSpending spending) => store.SaveSecret(ledgerName, JsonSerializer.Serialize(spending));
}

/// <summary>One budget period's ledger: when it began, what its runs spent, and what a running run has reserved.</summary>
public sealed record RefreshSpending(DateTimeOffset PeriodStart, long SpentSat, long ReservedSat);
