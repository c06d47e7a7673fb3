using System.Management.Automation;
using ImpVpn.Core.Selling;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// The seller running on this session's store, asked through its control socket; when none answers, an object that
/// says so, with what the store shows. Needs no node connection and takes no lock.
/// What users read (Get-Help) is written in docs/help/Get-VpnProvider.md.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VpnProvider")]
[OutputType(typeof(VpnProvider))]
public sealed class GetVpnProviderCommand : VpnCmdletBase
{
    protected override void EndProcessing()
    {
        var root = VpnSession.StoreRoot;
        var status = Run((_, ct) => SellerControlClient.StatusAsync(root, ct));
        if (status is not null)
        {
            WriteObject(VpnProvider.From(root, status));
            return;
        }

        var view = Checked(VpnSession.ExistingSold);
        var live = view is null ? [] : Checked(() => view.All(includeArchived: false, unreadable => WriteError(ToErrorRecord(unreadable, unreadable.Path))));
        WriteObject(VpnProvider.Stopped(root, live));
    }
}
