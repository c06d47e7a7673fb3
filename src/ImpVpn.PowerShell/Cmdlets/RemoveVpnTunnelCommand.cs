using System.Management.Automation;
using ImpVpn.Core.Buyer;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
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
        var store = Checked(VpnSession.ExistingStore);
        foreach (var id in Id)
        {
            if (FindBoughtOrReport(store, id) is not { } contract)
            {
                continue;
            }

            var active = contract.StateAt(DateTimeOffset.UtcNow) == ContractState.Active;
            var what = active
                ? $"Remove the tunnel, which has paid time left until {contract.ExpiresAt:u} (nothing is refunded)"
                : $"Remove the {contract.StateAt(DateTimeOffset.UtcNow)} tunnel's interface, private key and configuration";
            if (!ShouldProcess(id, what))
            {
                continue;
            }

            try
            {
                var wireGuard = InterfaceClientFor(contract);
                var removed = Run(async (log, ct) =>
                {
                    // The store's lock, as for paying: a scheduled refresh must not write this contract meanwhile.
                    using var locked = await store!.LockAsync(TimeSpan.FromMinutes(1), ct).ConfigureAwait(false);
                    return await new BoughtTunnelRemover(store, wireGuard, log).RemoveAsync(id, Force, ct).ConfigureAwait(false);
                });
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

    /// <summary>The WireGuard client to take the interface down with; null where there is no interface to take
    /// down. An interface that exists but cannot be touched (no privileges) is an error before anything is deleted.</summary>
    private static WireGuardHost? InterfaceClientFor(ContractRecord contract)
    {
        if (contract.InterfaceName.Length == 0 || InterfaceName.ExistsHere(contract.InterfaceName) == false)
        {
            return null;
        }

        Checked(WireGuardPrerequisites.EnsureReady);
        return WireGuardHosts.ForThisMachine();
    }
}
