using System.Management.Automation;
using ImpVpn.Core.Selling;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Stops the seller running on this session's store (started by Start-VpnProvider in another process) through its
/// control socket, and waits until it has given up the store's seller role (its socket closes after that). Medium impact: stopping ends no contract
/// (a seller started again serves them), so unattended runs need no -Confirm:$false.
/// What users read (Get-Help) is written in docs/help/Stop-VpnProvider.md.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "VpnProvider", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class StopVpnProviderCommand : VpnCmdletBase
{
    // A stopping seller finishes the requests it is answering (an activate waits up to 12 s for a payment) and,
    // when asked to withdraw, takes its interface and firewall down: well within this.
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(60);

    [Parameter]
    public SwitchParameter Withdraw { get; set; }

    protected override void EndProcessing()
    {
        var root = VpnSession.StoreRoot;
        var status = Run((_, ct) => SellerControlClient.StatusAsync(root, ct));
        if (status is null)
        {
            WriteError(ErrorRecords.From(new SellerNotRunningException(root), root));
            return;
        }

        var action = Withdraw ? "Stop, and take its interface and firewall off this host" : "Stop";
        if (!ShouldProcess($"the seller (process {status.ProcessId}) on {root}", action))
        {
            return;
        }

        Run(async (log, ct) =>
        {
            if (!await SellerControlClient.RequestStopAsync(root, Withdraw, ct).ConfigureAwait(false))
            {
                throw new SellerNotRunningException(root);
            }

            log.Log(Core.Diagnostics.LogLevel.Verbose, $"Asked the seller (process {status.ProcessId}) to stop; waiting for it to release the store.");
            return await SellerControlClient.WaitForStopAsync(root, status, StopWait, cancellationToken: ct).ConfigureAwait(false)
                ? true
                : throw new TimeoutException($"The seller (process {status.ProcessId}) was asked to stop but was still running after {StopWait.TotalSeconds:0} s.");
        });
    }
}
