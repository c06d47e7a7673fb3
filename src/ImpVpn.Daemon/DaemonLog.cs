using Microsoft.Extensions.Logging;

namespace ImpVpn.Daemon;

/// <summary>The daemon's own log lines (the core's come through <see cref="LoggerProgressLog"/>).</summary>
internal static partial class DaemonLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Critical, Message = "The seller stopped working; the daemon stops so that it is restarted.")]
    public static partial void SellerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "impvpnd could not start or stopped on an error.")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Scheduled refresh: {Due} tunnel(s) due, {LeftSat} sat left of the budget until {PeriodEnd:u}.")]
    public static partial void RefreshRun(ILogger logger, int due, long leftSat, DateTimeOffset periodEnd);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Refreshed {Id} until {ExpiresAt:u}.")]
    public static partial void Refreshed(ILogger logger, string id, DateTimeOffset? expiresAt);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Not refreshed {Id}: {Reason}")]
    public static partial void NotRefreshed(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Scheduled refresh: {SpentSat} sat spent this run, {PeriodSpentSat} of {BudgetSat} sat this period.")]
    public static partial void RefreshSpent(ILogger logger, long spentSat, long periodSpentSat, long budgetSat);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Scheduled refresh run failed; the next one is due in {Interval}.")]
    public static partial void RefreshRunFailed(ILogger logger, TimeSpan interval, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "The configuration runs no seller: nothing to withdraw.")]
    public static partial void NothingToWithdraw(ILogger logger);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "The seller is turned off, but another seller holds this store: its interface is left to it.")]
    public static partial void LeftoverKept(ILogger logger);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Taking away what an earlier run of the seller (now turned off) left failed; the next start tries again.")]
    public static partial void LeftoverWithdrawalFailed(ILogger logger, Exception exception);
}
