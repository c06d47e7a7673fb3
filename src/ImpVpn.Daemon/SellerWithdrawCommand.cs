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
        if (settings.Seller is not { } seller)
        {
            DaemonLog.NothingToWithdraw(logger);
            return DaemonExitCode.Success;
        }

        using var role = new ContractStore(settings.StorePath).HoldRole("seller");
        await SellerWithdrawal.WithdrawAsync(seller.WireGuard(), seller.Options, new LoggerProgressLog(logger), CancellationToken.None).ConfigureAwait(false);
        return DaemonExitCode.Success;
    }
}
