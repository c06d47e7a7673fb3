using System.Management.Automation;
using ImpVpn.Core.Daemon;
using ImpVpn.PowerShell.Output;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>What the daemon's cmdlets share: -Root (Linux: where the unit and files go, "/" for this system) and
/// the service manager for it.</summary>
public abstract class DaemonCmdletBase : VpnCmdletBase
{
    // Linux only: install into another root (an image being built, a test), as systemctl --root does.
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Root { get; set; } = "/";

    private protected string RootPath => ResolvePath(Root);

    private protected IDaemonServiceManager Manager() => Checked(() => DaemonServiceManagers.ForThisMachine(RootPath));

    private protected VpnDaemon Query(IDaemonServiceManager manager) =>
        VpnDaemon.From(Run((log, ct) => manager.QueryAsync(ct)));
}
