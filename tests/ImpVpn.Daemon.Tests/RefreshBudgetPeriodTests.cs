using ImpVpn.Core.Buying;
using ImpVpn.Core.Store;

namespace ImpVpn.Daemon.Tests;

/// <summary>A refresh budget per period, kept in the store: runs of one period share it, a new period starts
/// afresh, and a run that never closed counts as having spent all it could.</summary>
public sealed class RefreshBudgetPeriodTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("impvpn-budget-").FullName;
    private readonly SettableClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Runs_of_one_period_share_the_budget_and_a_new_period_starts_afresh()
    {
        var first = Period().Open();
        Assert.Equal(1000, first.LeftSat);
        first.Spend(600);
        Period().Close(first);

        _clock.Now += TimeSpan.FromHours(23);
        var second = Period().Open();
        Assert.Equal(400, second.LeftSat);
        Period().Close(second);

        _clock.Now += TimeSpan.FromHours(2);
        Assert.Equal(1000, Period().Open().LeftSat);
    }

    [Fact]
    public void A_run_that_never_closed_counts_as_having_spent_all_it_could()
    {
        var crashed = Period().Open();
        crashed.Spend(100);

        // No Close: the process died mid-run. Its payment may have gone out; the period's rest is not spent again.
        Assert.Equal(0, Period().Open().LeftSat);
    }

    [Fact]
    public void A_clock_set_back_keeps_the_period_and_what_it_spent()
    {
        _clock.Now += TimeSpan.FromHours(5);
        var run = Period().Open();
        run.Spend(700);
        Period().Close(run);

        // Set back past the period's start (a wrong clock at boot), then right again: no new budget either time.
        _clock.Now -= TimeSpan.FromHours(10);
        Assert.Equal(300, Period().Open().LeftSat);
        _clock.Now += TimeSpan.FromHours(10);
        Assert.Equal(0, Period().Open().LeftSat);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_apis_ledger_holds_several_reservations_apart_from_the_refreshs()
    {
        var api = ApiPeriod();
        Assert.True(api.TryReserve(600, heldSat: 0));
        Assert.False(api.TryReserve(500, heldSat: 600));
        Assert.True(api.TryReserve(400, heldSat: 600));

        // The first cost 550 of its 600; the second is still under way.
        api.Settle(550, stillHeldSat: 400);
        Assert.False(api.TryReserve(100, heldSat: 400));
        Assert.True(api.TryReserve(50, heldSat: 400));
        Assert.Equal(1000, Period().Open().LeftSat);

        // A new process: what the last one left reserved (its payments may have gone out) counts as spent.
        ApiPeriod().SettleAbandoned();
        Assert.Equal(new RefreshSpending(_clock.Now, 1000, 0), ApiPeriod().Current());
        Assert.False(ApiPeriod().TryReserve(1, heldSat: 0));

        // Reservations still held carry into the next period.
        _clock.Now += TimeSpan.FromDays(1);
        Assert.False(ApiPeriod().TryReserve(700, heldSat: 400));
        Assert.True(ApiPeriod().TryReserve(600, heldSat: 400));
    }

    private RefreshBudgetPeriod ApiPeriod() => new(new ContractStore(_folder), 1000, TimeSpan.FromDays(1), _clock, RefreshBudgetPeriod.ApiLedger);

    private RefreshBudgetPeriod Period() => new(new ContractStore(_folder), 1000, TimeSpan.FromDays(1), _clock);

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
