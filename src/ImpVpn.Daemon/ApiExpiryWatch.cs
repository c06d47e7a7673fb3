using ImpVpn.Core.Buying;
using ImpVpn.Core.Daemon;
using ImpVpn.Core.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImpVpn.Daemon;

/// <summary>
/// The "expired" events: every <see cref="Interval"/>, each bought contract whose expiry passed since the last
/// look gets one. Where the last look ended is kept with the events, so a contract that expired while the daemon
/// was stopped is reported at its next start, and none twice.
/// </summary>
internal sealed class ApiExpiryWatch(DaemonSettings settings, ApiEventLog events, ILogger<ApiExpiryWatch> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    // Read and written by the one timer loop only.
    private readonly HashSet<string> _unreadableSaid = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                LookOnce(DateTimeOffset.UtcNow);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CorruptContractException)
            {
                ApiLog.ExpiryWatchFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    internal void LookOnce(DateTimeOffset now)
    {
        var since = events.ExpiryWatchedUntil;
        if (since is null)
        {
            // The first start with the API: what expired before it is history, not news.
            events.WatchedExpiriesUntil(now, keep: true);
            return;
        }

        var contracts = new BoughtContracts(new ContractStore(settings.StorePath));
        // An unreadable contract file is passed over, not a reason to report no other expiry; said once per file,
        // not at every look.
        var expired = contracts.All(unreadable =>
        {
            if (_unreadableSaid.Add(unreadable.Path))
            {
                ApiLog.ExpiryContractUnreadable(logger, unreadable.Path, unreadable.Message);
            }
        }).Where(c => c.ExpiresAt is { } at && at > since && at <= now).OrderBy(c => c.ExpiresAt).ToList();
        if (expired.Count == 0)
        {
            // Without news the mark is not written: the next start looks again from the last kept point and finds
            // nothing new.
            events.WatchedExpiriesUntil(now, keep: false);
            return;
        }

        // The mark moves with the events, in one step that is saved with them: it never runs ahead of events that
        // were not appended, and a restart starts after these.
        events.AppendAll([.. expired.Select(contract => new ApiEvent
        {
            Kind = ApiEvent.Expired, PubKey = contract.SellerPubKey, ContractId = contract.Id, TunnelAddress = contract.BuyerTunnelAddress, ExpiresAt = contract.ExpiresAt,
        })], watchedUntil: now);
    }
}
