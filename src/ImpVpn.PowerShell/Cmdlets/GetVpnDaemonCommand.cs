using System.Management.Automation;
using ImpVpn.PowerShell.Output;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Shows the impvpnd service: installed or not, its state, process, configuration and version.
/// What users read (Get-Help) is written in docs/help/Get-VpnDaemon.md.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VpnDaemon")]
[OutputType(typeof(VpnDaemon))]
public sealed class GetVpnDaemonCommand : DaemonCmdletBase
{
    protected override void EndProcessing() => WriteObject(Query(Manager()));
}
