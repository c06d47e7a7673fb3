using Grpc.Core;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Daemon;
using ImpVpn.Core.Store;

namespace ImpVpn.Daemon;

/// <summary>
/// The API's total spending limit (Api.BudgetSat per Api.BudgetPeriod, fees included), kept in its own ledger in the
/// store by the refresh's budget-period machinery (<see cref="RefreshBudgetPeriod"/>, <see cref="RefreshBudgetPeriod.ApiLedger"/>).
/// Every purchase and refresh reserves the most it may cost before it starts, and is refused (ResourceExhausted,
/// nothing paid) when the period has not that much left; what it really cost replaces the reservation when it ends.
/// A payment that may still be in flight is counted at its reservation. One daemon holds the ledger (a role lock in
/// the store), and this process serialises its own reservations.
/// </summary>
internal sealed class ApiBudget : IDisposable
{
    private readonly object _gate = new();
    private readonly RefreshBudgetPeriod _period;
    private readonly long _budgetSat;
    private readonly IDisposable _role;
    private long _heldSat;

    public ApiBudget(DaemonSettings settings, TimeProvider? clock = null)
    {
        var api = settings.Api!;
        var store = new ContractStore(settings.StorePath);
        // Two daemons on one store would each believe the ledger theirs and together spend twice the budget.
        _role = store.HoldRole("api-budget");
        _budgetSat = api.BudgetSat;
        _period = new RefreshBudgetPeriod(store, api.BudgetSat, api.BudgetPeriod, clock, RefreshBudgetPeriod.ApiLedger);
        // A reservation left by a daemon that stopped mid-payment: that payment may have gone through.
        _period.SettleAbandoned();
    }

    /// <summary>Reserves <paramref name="mostSat"/> or throws ResourceExhausted before anything is asked or paid.</summary>
    public ApiReservation Reserve(long mostSat, string what)
    {
        lock (_gate)
        {
            if (!_period.TryReserve(mostSat, _heldSat))
            {
                var current = _period.Current();
                var left = Math.Max(0, _budgetSat - PaymentCeiling.MostCostSat(current.SpentSat, _heldSat));
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"{what} may cost up to {mostSat} sat with its fee; {left} sat of Api.BudgetSat ({_budgetSat} sat) is left until {_period.PeriodEnd:u}. Nothing was paid."));
            }

            _heldSat += mostSat;
            return new ApiReservation(this, mostSat);
        }
    }

    internal void Settle(ApiReservation reservation, long spentSat)
    {
        lock (_gate)
        {
            // Saved first: a ledger that cannot be written keeps the reservation held here too, never less than spent.
            var stillHeld = _heldSat - reservation.Sat;
            _period.Settle(Math.Max(0, spentSat), stillHeld);
            _heldSat = stillHeld;
        }
    }

    public void Dispose() => _role.Dispose();
}

/// <summary>What one purchase or refresh reserved of the API's budget; settled once with what it really cost.</summary>
internal sealed class ApiReservation(ApiBudget budget, long sat)
{
    private int _settled;

    public long Sat { get; } = sat;

    /// <summary>Records <paramref name="spentSat"/> (price and fee actually paid) in place of the reservation.</summary>
    public void Settle(long spentSat)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 0)
        {
            budget.Settle(this, spentSat);
        }
    }

    /// <summary>The payment may have gone through and what it cost is not known: the whole reservation counts.</summary>
    public void SettleAtMost() => Settle(Sat);
}
