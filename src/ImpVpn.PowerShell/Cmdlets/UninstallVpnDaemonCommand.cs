using System.Management.Automation;
using ImpVpn.Core.Daemon;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Stops and removes the impvpnd service, takes the seller off this host (impvpnd withdraw: its interface, its
/// buyers' peers and its firewall table) and removes the daemon's installed files. The configuration file and the
/// store (the contracts, keys and proofs of payment) stay.
/// What users read (Get-Help) is written in docs/help/Uninstall-VpnDaemon.md.
/// </summary>
[Cmdlet(VerbsLifecycle.Uninstall, "VpnDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class UninstallVpnDaemonCommand : DaemonCmdletBase
{
    protected override void EndProcessing()
    {
        var manager = Manager();
        var installation = new DaemonInstallation(RootPath);
        var installed = Query(manager);
        // Only on the running system: a unit installed under another root names interfaces of another machine.
        var withdraw = installation.Root == "/" && installed is { Installed: true, Version: { } version, ConfigPath: { } config } && File.Exists(config)
            ? (Version: version, Config: config)
            : default((string Version, string Config)?);
        var action = $"Stop impvpnd, remove its service{(withdraw is null ? string.Empty : ", take its seller's interface and firewall table off this host")} and remove {installation.OnDisk(DaemonInstallation.ProgramsFolder)} (the configuration and the store stay)";
        if (!ShouldProcess(manager.DefinitionPath, action))
        {
            return;
        }

        Run(async (log, ct) =>
        {
            if (withdraw is { } seller)
            {
                // Stopped, then withdrawn, and only then is the service removed: a withdrawal that fails leaves the
                // service installed, so running this again still knows what to withdraw.
                try
                {
                    await manager.StopAsync(ct).ConfigureAwait(false);
                }
                catch (ServiceManagerUnavailableException)
                {
                    // No service manager running here: no service to stop (a daemon run by hand holds the store,
                    // and the withdrawal refuses while it does).
                }

                await installation.WithdrawSellerAsync(seller.Version, seller.Config, ct).ConfigureAwait(false);
            }

            await manager.UninstallAsync(ct).ConfigureAwait(false);
            return true;
        });
        Checked(installation.RemoveDaemon);
    }
}
