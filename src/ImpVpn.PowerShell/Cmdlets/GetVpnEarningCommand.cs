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
    /// <summary>Settlements at or after this instant; a date without a time of day is the start of that UTC day
    /// (see <see cref="Instant"/>).</summary>
    [Parameter(Position = 0)]
    public DateTime? Since { get; set; }

    /// <summary>Settlements before this instant; a date without a time of day as for <see cref="Since"/>.</summary>
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
        var since = Since is { } s ? Instant(s) : (DateTimeOffset?)null;
        var until = Until is { } u ? Instant(u) : (DateTimeOffset?)null;
        foreach (var day in SellerEarnings.ByDay(contracts, since, until))
        {
            WriteObject(VpnEarning.From(day));
        }
    }

    // The rows are UTC days, so a plain date ('2026-12-01', or Get-Date's .Date) names one of them: read as local
    // midnight it would cut a UTC day in two wherever the clock is not on UTC. A time of day, or a DateTime marked
    // UTC, is taken as the instant it states.
    private static DateTimeOffset Instant(DateTime value) =>
        value.Kind != DateTimeKind.Utc && value.TimeOfDay == TimeSpan.Zero
            ? new DateTimeOffset(value.Year, value.Month, value.Day, 0, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(value);
}
