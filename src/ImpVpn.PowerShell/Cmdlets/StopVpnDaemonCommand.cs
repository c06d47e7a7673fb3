using System.Management.Automation;
using ImpVpn.PowerShell.Output;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Stops the impvpnd service: the seller stops answering and releases its store; its interface and the buyers'
/// paid peers stay up.
/// What users read (Get-Help) is written in docs/help/Stop-VpnDaemon.md.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "VpnDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VpnDaemon))]
public sealed class StopVpnDaemonCommand : DaemonCmdletBase
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var manager = Manager();
        if (!ShouldProcess(manager.DefinitionPath, "Stop impvpnd (no new sales or refreshes until it is started again)"))
        {
            return;
        }

        Run(async (log, ct) =>
        {
            await manager.StopAsync(ct).ConfigureAwait(false);
            return true;
        });
        if (PassThru)
        {
            WriteObject(Query(manager));
        }
    }
}
