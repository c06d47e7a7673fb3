using System.Management.Automation;
using ImpVpn.Core.Buyer;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

using ImpVpn.PowerShell.Completion;
using ImpVpn.PowerShell.Validation;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Buys more time on a tunnel (RefreshContract).
/// What users read (Get-Help) is written in docs/help/Update-VpnContract.md.
/// </summary>
[Cmdlet(VerbsData.Update, "VpnContract", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(VpnTunnel))]
public sealed class UpdateVpnContractCommand : VpnCmdletBase
{
    private const string ByIdSet = "ById";
    private const string ExpiringSet = "Expiring";
    private long _spentSat;
    private int _failures;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [ArgumentCompleter(typeof(TunnelIdCompleter))]
    [ValidatePattern("^[0-9a-zA-Z]{1,64}$")]
    public string[] Id { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = ExpiringSet)]
    [ValidatePositiveDuration]
    public TimeSpan ExpiringWithin { get; set; }

    [Parameter(ParameterSetName = ExpiringSet)]
    [ValidateRange(1, long.MaxValue)]
    public long? TotalBudgetSat { get; set; }

    [Parameter]
    [ValidatePositiveDuration]
    public TimeSpan Duration { get; set; } = TimeSpan.FromHours(1);

    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long? MaxPriceSat { get; set; }

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long FeeLimitSat { get; set; } = 10;

    protected override void ProcessRecord()
    {
        // Tunnels still running that expire within the window, and any refresh an earlier run paid for but did not
        // record (its tunnel may look expired here only because the new expiry was never written). One that has
        // simply expired cannot be refreshed (the seller has removed it), and failing on it every run would hide
        // the failures that matter.
        var now = DateTimeOffset.UtcNow;
        var ids = ParameterSetName == ExpiringSet
            ? Checked(() => VpnSession.Store().All())
                .Where(c => c.Role == Core.Contracts.ContractRole.Buyer && !c.TunnelRemoved
                    && (c.RefreshBeingPaid is not null
                        || (c.StateAt(now) == Core.Contracts.ContractState.Active && c.ExpiresAt <= now + ExpiringWithin)))
                .Select(c => c.Id).ToArray()
            : Id;
        var node = RequireNode();
        foreach (var id in ids)
        {
            var budgetLeft = TotalBudgetSat - _spentSat;
            if (budgetLeft is <= 0)
            {
                _failures++;
                WriteError(new ErrorRecord(new InvalidOperationException($"The budget of {TotalBudgetSat} sat is spent; {id} was not refreshed."),
                    "ImpVpn.BudgetExhausted", ErrorCategory.LimitsExceeded, id));
                continue;
            }

            if (!ShouldProcess(id, $"Pay for {Duration} more"))
            {
                continue;
            }

            try
            {
                WriteObject(Run(async (log, ct) =>
                {
                    var store = VpnSession.Store();
                    using var locked = await store.LockAsync(TimeSpan.FromMinutes(1), ct).ConfigureAwait(false);
                    await using var buyer = new VpnBuyer(node, null, store, log);
                    // Within a budget, the price may use what is left of it minus the fee the payment may cost.
                    var cap = budgetLeft is { } left ? Math.Min(MaxPriceSat ?? long.MaxValue, left - FeeLimitSat) : MaxPriceSat;
                    var before = store.Find(id);
                    var contract = await buyer.RefreshAsync(id, Duration, new BuyerOptions { MaxPriceSat = cap, FeeLimitSat = FeeLimitSat }, ct).ConfigureAwait(false);
                    Interlocked.Add(ref _spentSat, (contract.PaidSat + contract.FeePaidSat) - ((before?.PaidSat ?? 0) + (before?.FeePaidSat ?? 0)));
                    return await TunnelFactory.DescribeAsync(contract, store, OperatingSystem.IsLinux() ? WireGuardHosts.ForThisMachine() : null, ct).ConfigureAwait(false);
                }));
            }
            catch (VpnCmdletException e)
            {
                _failures++;
                WriteError(WithTarget(e.ErrorRecord, id));
            }
        }
    }

    /// <summary>A scheduled run that could not refresh everything ends with a terminating error, so pwsh exits
    /// non-zero and the scheduler (cron, a systemd timer, Task Scheduler) notices.</summary>
    protected override void EndProcessing()
    {
        if (ParameterSetName == ExpiringSet && _failures > 0)
        {
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"{_failures} tunnel(s) could not be refreshed."),
                "ImpVpn.RefreshIncomplete", ErrorCategory.OperationStopped, null));
        }
    }
}
