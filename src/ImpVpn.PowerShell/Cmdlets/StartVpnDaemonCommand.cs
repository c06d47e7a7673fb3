using System.Management.Automation;
using ImpVpn.PowerShell.Output;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Starts the installed impvpnd service through the service manager; returns once the manager reports it started
/// (under systemd: once impvpnd said it is ready, its seller really serving).
/// What users read (Get-Help) is written in docs/help/Start-VpnDaemon.md.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "VpnDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(VpnDaemon))]
public sealed class StartVpnDaemonCommand : DaemonCmdletBase
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var manager = Manager();
        if (!ShouldProcess(manager.DefinitionPath, "Start impvpnd"))
        {
            return;
        }

        Run(async (log, ct) =>
        {
            await manager.StartAsync(ct).ConfigureAwait(false);
            return true;
        });
        if (PassThru)
        {
            WriteObject(Query(manager));
        }
    }
}
