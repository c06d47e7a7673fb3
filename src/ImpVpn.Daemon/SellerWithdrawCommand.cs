using ImpVpn.Core.Daemon;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using Microsoft.Extensions.Logging;

namespace ImpVpn.Daemon;

/// <summary>
/// <c>impvpnd withdraw</c>: takes the configured seller's interface (and every buyer's peer) and firewall table off
/// the host, for an operator who stops selling for good (Uninstall-VpnDaemon runs it). Refused while a seller runs
/// on the store: pulling its interface from under it would cut paid tunnels behind its back.
/// </summary>
internal static class SellerWithdrawCommand
{
    public static async Task<int> RunAsync(DaemonSettings settings, ILogger logger)
    {
        // A seller turned off is withdrawn all the same: an earlier run of it may have left its interface.
        if ((settings.Seller ?? settings.SellerLeftover) is not { } seller)
        {
            DaemonLog.NothingToWithdraw(logger);
            return DaemonExitCode.Success;
        }

        using var role = new ContractStore(settings.StorePath).HoldRole("seller");
        await SellerWithdrawal.WithdrawAsync(seller.WireGuard(), seller.Options, new LoggerProgressLog(logger), CancellationToken.None).ConfigureAwait(false);
        return DaemonExitCode.Success;
    }

    /// <summary>At the start of a daemon whose seller is turned off: what an earlier run of that seller left (its
    /// interface, its buyers' peers, its firewall table) is taken away, so a seller disabled leaves nothing behind.
    /// Left alone while another seller holds the store (it is that seller's).</summary>
    public static async Task WithdrawLeftoverAsync(DaemonSettings settings, ILogger logger)
    {
        if (settings.Seller is not null || settings.SellerLeftover is not { } leftover)
        {
            return;
        }

        try
        {
            using var role = new ContractStore(settings.StorePath).HoldRole("seller");
            await SellerWithdrawal.WithdrawAsync(leftover.WireGuard(), leftover.Options, new LoggerProgressLog(logger), CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreBusyException)
        {
            DaemonLog.LeftoverKept(logger);
        }
    }
}
