using System.Management.Automation;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

using ImpVpn.PowerShell.Completion;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Lists the tunnels you bought, with live handshake, traffic and time left.
/// What users read (Get-Help) is written in docs/help/Get-VpnTunnel.md.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VpnTunnel")]
[OutputType(typeof(VpnTunnel))]
public sealed class GetVpnTunnelCommand : VpnCmdletBase
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TunnelIdCompleter))]
    public string[]? Id { get; set; }

    [Parameter]
    [ValidatePattern("^0[23][0-9a-fA-F]{64}$")]
    [ArgumentCompleter(typeof(SellerPubKeyCompleter))]
    public string? SellerPubKey { get; set; }

    [Parameter]
    public TimeSpan WarnWithin { get; set; } = TimeSpan.FromMinutes(15);

    protected override void ProcessRecord()
    {
        // Looking creates nothing: where no store exists yet there is simply no tunnel.
        var store = Checked(VpnSession.ExistingStore);
        var contracts = (store?.All(unreadable => WriteError(ToErrorRecord(unreadable, unreadable.Path))) ?? [])
            .Where(c => c.Role == ContractRole.Buyer)
            .Where(c => Id is null || Id.Contains(c.Id, StringComparer.OrdinalIgnoreCase))
            .Where(c => SellerPubKey is null || string.Equals(c.PeerPubKey, SellerPubKey, StringComparison.OrdinalIgnoreCase))
            .ToList();
        foreach (var missing in (Id ?? []).Where(id => !contracts.Any(c => string.Equals(c.Id, id, StringComparison.OrdinalIgnoreCase))))
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No tunnel {missing} in {VpnSession.StorePath ?? "the contract store"}."),
                "ImpVpn.TunnelNotFound", ErrorCategory.ObjectNotFound, missing));
        }

        var wireGuard = OperatingSystem.IsLinux() && WireGuardPrerequisites.HasNetAdmin() ? WireGuardHosts.ForThisMachine() : null;
        foreach (var contract in contracts)
        {
            VpnTunnel tunnel;
            try
            {
                tunnel = Run((log, ct) => TunnelFactory.DescribeAsync(contract, store!, wireGuard, ct));
            }
            catch (VpnCmdletException e)
            {
                WriteError(WithTarget(e.ErrorRecord, contract.Id));
                continue;
            }

            if (tunnel.State == nameof(ContractState.Active) && tunnel.TimeLeft is { } timeLeft && timeLeft < WarnWithin)
            {
                var left = TimeSpan.FromSeconds(Math.Floor(timeLeft.TotalSeconds));
                WriteWarning($"Tunnel {tunnel.Id} expires in {left:c}. Renew it with Update-VpnContract -Id {tunnel.Id}.");
            }

            WriteObject(tunnel);
        }
    }
}
