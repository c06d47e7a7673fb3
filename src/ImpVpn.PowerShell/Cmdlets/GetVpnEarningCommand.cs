using System.Management.Automation;
using ImpVpn.Core.Selling;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// What this store's seller received, one object per UTC day: purchases and refreshes settled that day and their
/// sum. Reads live and archived contracts without the seller's role.
/// What users read (Get-Help) is written in docs/help/Get-VpnEarning.md.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VpnEarning")]
[OutputType(typeof(VpnEarning))]
public sealed class GetVpnEarningCommand : VpnCmdletBase
{
    /// <summary>Settlements at or after this instant (a date without a time is local midnight, as Get-Date gives it).</summary>
    [Parameter(Position = 0)]
    public DateTime? Since { get; set; }

    /// <summary>Settlements before this instant.</summary>
    [Parameter(Position = 1)]
    public DateTime? Until { get; set; }

    protected override void EndProcessing()
    {
        var view = Checked(VpnSession.ExistingSold);
        if (view is null)
        {
            return;
        }

        var contracts = Checked(() => view.All(includeArchived: true, unreadable => WriteError(ToErrorRecord(unreadable, unreadable.Path))));
        var since = Since is { } s ? new DateTimeOffset(s) : (DateTimeOffset?)null;
        var until = Until is { } u ? new DateTimeOffset(u) : (DateTimeOffset?)null;
        foreach (var day in SellerEarnings.ByDay(contracts, since, until))
        {
            WriteObject(VpnEarning.From(day));
        }
    }
}
