using ImpVpn.Core.Daemon;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImpVpn.Daemon;

/// <summary>
/// The seller as a hosted service. The seller is started in <see cref="StartAsync"/>, which the host awaits before
/// it reports the service started (READY=1 to systemd): "ready" means the firewall is closed, the interface is up
/// and the paid peers are back. On stop the seller stops answering, finishes the requests under way and releases
/// the store's seller lock; its interface and peers stay (each admitted by the firewall until its expiry), so
/// buyers keep what they paid for across a restart.
/// </summary>
internal sealed class SellerService(SellerSettings settings, string storePath, NodeConnection nodes, IHostApplicationLifetime lifetime, ILogger<SellerService> logger)
    : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private VpnSeller? _seller;
    private Task? _serving;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var node = await nodes.GetAsync(cancellationToken).ConfigureAwait(false);
        var log = new LoggerProgressLog(logger);
        _seller = new VpnSeller(node, settings.WireGuard(), new ContractStore(storePath), settings.Options, log);
        await _seller.StartAsync(cancellationToken).ConfigureAwait(false);
        _serving = ServeAsync(_seller);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_serving is not null)
        {
            await _serving.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_seller is not null)
        {
            // The seller's own stop: it leaves the interface up where its firewall ends each buyer's access at
            // expiry, and takes it down where it cannot (no ImpVpn firewall).
            await _seller.StopAsync(cancellationToken).ConfigureAwait(false);
            await _seller.DisposeAsync().ConfigureAwait(false);
            _seller = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_seller is not null)
        {
            await _seller.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    // The expiry round until stop. A failure the seller does not ride out itself stops the daemon with an error, so
    // the service manager restarts it (Restart=on-failure) rather than leaving a seller that no longer expires.
    private async Task ServeAsync(VpnSeller seller)
    {
        try
        {
            await seller.ServeAsync(_stopping.Token).ConfigureAwait(false);
            if (!_stopping.IsCancellationRequested)
            {
                // Stopped from outside (Stop-VpnProvider through the seller's control socket): the daemon ends too,
                // cleanly, and the service manager does not restart it.
                lifetime.StopApplication();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DaemonLog.SellerFailed(logger, e);
            Environment.ExitCode = DaemonExitCode.Failure;
            lifetime.StopApplication();
        }
    }
}
