using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Takes a seller off its host: the interface (and with it every buyer's peer), then the firewall table. What a
/// seller that stops selling for good leaves behind is nothing; its contracts stay in the store, and a seller started
/// again later puts back the peers of those still paid for.
/// </summary>
/// <remarks>
/// The interface goes first: without it, a filter matching it by name guards nothing, whereas a filter taken away
/// first would leave the peers' traffic open for a moment. Each part is taken away whether or not the other was
/// there, so a withdrawal repeated after one that failed half way finishes the job.
/// </remarks>
public static class SellerWithdrawal
{
    public static async Task WithdrawAsync(WireGuardHost? wireGuard, SellerOptions options, IProgressLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.ConfigOnly || wireGuard is null)
        {
            // Nothing of ImpVpn's runs on this host.
            return;
        }

        if (await wireGuard.Devices.GetDeviceAsync(options.InterfaceName, cancellationToken).ConfigureAwait(false) is not null)
        {
            await wireGuard.Links.DeleteInterfaceAsync(options.InterfaceName, cancellationToken).ConfigureAwait(false);
            log.Log(LogLevel.Info, $"Interface {options.InterfaceName} and its buyers' peers removed.");
        }

        if (wireGuard.Firewall is { } firewall)
        {
            try
            {
                await firewall.RemoveAsync(options.InterfaceName, cancellationToken).ConfigureAwait(false);
            }
            catch (SellerFirewallException e) when (!options.ManageFirewall)
            {
                // A seller told not to manage the firewall, on a host without nft or nf_tables, never made a table
                // to take away: its withdrawal is done with the interface.
                log.Log(LogLevel.Verbose, e.Message);
            }
        }
    }
}
