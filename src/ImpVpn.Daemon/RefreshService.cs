using ImpVpn.Core.Buying;
using ImpVpn.Core.Daemon;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Platform;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImpVpn.Daemon;

/// <summary>
/// The buyer's scheduled refresh as a hosted service: at start and then every <see cref="RefreshSchedule.Interval"/>,
/// the tunnels expiring within the window are refreshed (<see cref="ScheduledRefresh"/>, the run
/// Update-VpnContract -ExpiringWithin makes), within what the budget period has left
/// (<see cref="RefreshBudgetPeriod"/>, kept in the store so that a restart does not reset it).
/// </summary>
internal sealed class RefreshService(RefreshSchedule schedule, string storePath, NodeConnection nodes, ILogger<RefreshService> logger)
    : BackgroundService
{
    private IDisposable? _role;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The period's ledger is read, reserved and written by one process: two daemons on one store would each
        // spend the budget. The second is refused at start.
        _role = new ContractStore(storePath).HoldRole("refresh");
        await nodes.GetAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _role?.Dispose();
        _role = null;
    }

    public override void Dispose()
    {
        _role?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(schedule.Interval);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One run that could not finish (the node restarting) must not end the schedule: what was not
                // refreshed is still due at the next run, and the budget's ledger says what was spent.
                DaemonLog.RefreshRunFailed(logger, schedule.Interval, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var store = new ContractStore(storePath);
        var contracts = new BoughtContracts(store);
        var due = contracts.DueForRefresh(DateTimeOffset.UtcNow, schedule.ExpiringWithin,
            unreadable => DaemonLog.NotRefreshed(logger, Path.GetFileName(unreadable.Path), unreadable.Message));
        var period = new RefreshBudgetPeriod(store, schedule.BudgetSat, schedule.BudgetPeriod);
        if (due.Count == 0)
        {
            return;
        }

        var node = await nodes.GetAsync(cancellationToken).ConfigureAwait(false);
        var budget = period.Open();
        DaemonLog.RefreshRun(logger, due.Count, budget.LeftSat ?? 0, period.PeriodEnd);
        IReadOnlyList<RefreshOutcome> outcomes;
        try
        {
            await using var buyer = new Buyer(node, contracts, WireGuardUse.ForReading(), new LoggerProgressLog(logger));
            outcomes = await buyer.ScheduledRefresh.RunAsync(due, schedule.ExpiringWithin, schedule.Duration, budget, schedule.Buyer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Also when stopped mid-run: what it spent, an unfinished payment counted at the most it may cost.
            period.Close(budget);
        }

        foreach (var outcome in outcomes)
        {
            if (outcome.Refreshed is { } refreshed)
            {
                DaemonLog.Refreshed(logger, refreshed.Id, refreshed.ExpiresAt);
            }
            else if (outcome.Failure is { } failure)
            {
                DaemonLog.NotRefreshed(logger, outcome.Id, failure.Message);
            }
        }

        var periodSpent = period.Current().SpentSat;
        DaemonLog.RefreshSpent(logger, budget.SpentSat, periodSpent, schedule.BudgetSat);
    }
}
