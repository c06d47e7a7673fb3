using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.PowerShell.Completion;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Takes a bought tunnel off this machine: its interface (and wireguard-go process), private key and wg-quick file.
/// What users read (Get-Help) is written in docs/help/Remove-VpnTunnel.md.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VpnTunnel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VpnTunnel))]
public sealed class RemoveVpnTunnelCommand : VpnCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TunnelIdCompleter))]
    [ValidatePattern("^[0-9a-zA-Z]{1,64}$")]
    public string[] Id { get; set; } = [];

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var bought = Checked(VpnSession.ExistingBought);
        foreach (var id in Id)
        {
            if (FindBoughtOrReport(bought, id) is not { } contract)
            {
                continue;
            }

            // What the real run would refuse is refused here too, so -WhatIf and the prompt promise only what happens.
            if (TunnelRemoval.Refusal(contract, Force) is { } refused)
            {
                WriteError(ToErrorRecord(refused, id));
                continue;
            }

            var active = contract.StateAt(DateTimeOffset.UtcNow) == BoughtContractState.Active && !contract.TunnelRemoved;
            var what = active
                ? $"Remove the tunnel, which has paid time left until {contract.ExpiresAt:u} (nothing is refunded)"
                : $"Remove the {contract.StateAt(DateTimeOffset.UtcNow)} tunnel's interface, private key and configuration";
            if (!ShouldProcess(id, what))
            {
                continue;
            }

            try
            {
                var wireGuard = ChooseWireGuard(() => SessionWireGuard.ForRemoving(contract, bought!.ReadFullTunnel(contract.Id) is not null));
                var removed = Run((log, ct) => new TunnelRemoval(bought!, wireGuard, log).RemoveAsync(id, Force, ct));
                if (PassThru)
                {
                    WriteObject(VpnTunnel.From(removed));
                }
            }
            catch (VpnCmdletException e)
            {
                WriteError(WithTarget(e.ErrorRecord, id));
            }
        }
    }
}
