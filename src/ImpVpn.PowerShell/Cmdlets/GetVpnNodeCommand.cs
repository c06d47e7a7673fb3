using System.Management.Automation;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Shows the Lightning node this session is connected to, as the node reports itself now.
/// What users read (Get-Help) is written in docs/help/Get-VpnNode.md.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VpnNode")]
[OutputType(typeof(VpnNode))]
public sealed class GetVpnNodeCommand : VpnCmdletBase
{
    protected override void EndProcessing()
    {
        if (VpnSession.Node is not { } node || VpnSession.RpcAddress is not { } rpcAddress)
        {
            WriteError(ErrorRecords.NotConnected());
            return;
        }

        var store = VpnSession.StorePath!;
        var info = Run((log, ct) => node.GetInfoAsync(ct));
        WriteObject(VpnNode.From(info, rpcAddress, store));
    }
}
