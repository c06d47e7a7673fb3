using System.Management.Automation;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Drops this session's Lightning node connection; the store path stays the session's.
/// What users read (Get-Help) is written in docs/help/Disconnect-VpnNode.md.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "VpnNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
public sealed class DisconnectVpnNodeCommand : VpnCmdletBase
{
    protected override void EndProcessing()
    {
        if (VpnSession.Node is not { } node)
        {
            WriteError(ErrorRecords.NotConnected());
            return;
        }

        if (!ShouldProcess($"LND at {VpnSession.RpcAddress}", "Disconnect"))
        {
            return;
        }

        var dropped = Run((log, ct) => VpnSession.DisconnectAsync(node));
        WriteVerbose(dropped
            ? $"Disconnected from LND at {node}; contracts stay in {VpnSession.StorePath}."
            : "Another command replaced or dropped the connection first; nothing to disconnect.");
    }
}
