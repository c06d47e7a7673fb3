using System.Management.Automation;
using ImpVpn.Core.Daemon;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Stops and removes the impvpnd service and the daemon's installed files. The configuration file and the store
/// (the contracts, keys and proofs of payment) stay.
/// What users read (Get-Help) is written in docs/help/Uninstall-VpnDaemon.md.
/// </summary>
[Cmdlet(VerbsLifecycle.Uninstall, "VpnDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class UninstallVpnDaemonCommand : DaemonCmdletBase
{
    protected override void EndProcessing()
    {
        var manager = Manager();
        var installation = new DaemonInstallation(RootPath);
        if (!ShouldProcess(manager.DefinitionPath, $"Stop impvpnd, remove its service and {installation.OnDisk(DaemonInstallation.ProgramsFolder)} (the configuration and the store stay)"))
        {
            return;
        }

        Run(async (log, ct) =>
        {
            await manager.UninstallAsync(ct).ConfigureAwait(false);
            return true;
        });
        Checked(installation.RemoveDaemon);
    }
}
