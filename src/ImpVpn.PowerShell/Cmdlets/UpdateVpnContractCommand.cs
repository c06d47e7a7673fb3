using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.PowerShell.Completion;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;
using ImpVpn.PowerShell.Validation;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Buys more time on a tunnel (RefreshContract); with -ExpiringWithin, every tunnel about to expire, as a scheduler
/// runs it, within a total budget.
/// What users read (Get-Help) is written in docs/help/Update-VpnContract.md.
/// </summary>
[Cmdlet(VerbsData.Update, "VpnContract", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(VpnTunnel))]
public sealed class UpdateVpnContractCommand : VpnCmdletBase
{
    private const string ByIdSet = "ById";
    private const string ExpiringSet = "Expiring";
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

    // The most the routing fee may cost; without it, 1% of the amount and at least 10 sat (RoutingFeeLimit).
    // FeeLimitSat was its name in 0.1. Bounded by all the bitcoin there is: a larger limit means nothing, and sums
    // of it must stay far from overflowing.
    [Parameter]
    [Alias("FeeLimitSat")]
    [ValidateRange(0, QuoteCheck.MaxSat)]
    public long? MaxRoutingFeeSat { get; set; }

    // Above this (the refresh's ceiling plus fee cap), a payment is confirmed first; $ImpVpnConfirmAboveSat when not given.
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? ConfirmAboveSat { get; set; }

    // Confirms on the command line a payment above the threshold, where nobody could be asked.
    [Parameter]
    public SwitchParameter Force { get; set; }

    private BuyerOptions Options => new() { MaxPriceSat = MaxPriceSat, MaxRoutingFeeSat = MaxRoutingFeeSat };

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ExpiringSet)
        {
            RefreshExpiring();
            return;
        }

        var node = RequireNode();
        foreach (var id in Id)
        {
            try
            {
                if (FindBoughtOrReport(Checked(VpnSession.ExistingBought), id) is not { } contract || !Approved(contract, string.Empty))
                {
                    continue;
                }

                WriteObject(Run(async (log, ct) =>
                {
                    // The tunnel's interface, where it is up here, must still answer before the refresh is claimed.
                    await using var buyer = new Buyer(node, VpnSession.Bought(), SessionWireGuard.ForReading(), log);
                    var refreshed = await buyer.Refresh.RefreshAsync(id, Duration, Options, ct).ConfigureAwait(false);
                    return VpnTunnel.From(await TunnelStatus.ReadAsync(refreshed, buyer.Contracts, SessionWireGuard.ForReading(), ct).ConfigureAwait(false));
                }));
            }
            catch (VpnCmdletException e)
            {
                WriteError(WithTarget(e.ErrorRecord, id));
            }
        }
    }

    /// <summary>Shows (-WhatIf, -Verbose) and, above the threshold, confirms the most this refresh may cost: the
    /// seller names its price only when asked, so the ceiling the core will hold it to is what the user sees.</summary>
    private bool Approved(BoughtContract contract, string when)
    {
        var ceiling = PaymentCeiling.RefreshCeilingSat(contract, Duration, MaxPriceSat);
        // The fee limit the ceiling price would have: the most this refresh may cost is both together.
        var feeLimit = Options.FeeLimitFor(ceiling ?? 0);
        var action = ceiling is { } most
            ? $"Pay at most {most} sat ({RouteFeePreview.Describe(this, contract.SellerPubKey, most, feeLimit)}) to {contract.SellerPubKey} for {Duration} more on contract {contract.Id}{when}"
            : $"Pay for {Duration} more on contract {contract.Id}{when} (it has no price to scale a ceiling from: refused without -MaxPriceSat)";
        return ShouldProcess(contract.Id, action)
            && (ceiling is not { } sat || PaymentConfirmation.Approve(this, PaymentConfirmation.Threshold(this, ConfirmAboveSat), Force, PaymentCeiling.MostCostSat(sat, feeLimit), action, contract.Id));
    }

    /// <summary>The scheduled run: the user (or -WhatIf) sees the tunnels due now; the core checks each again
    /// under the store's lock before paying, so a run started beside this one never makes it pay twice.</summary>
    private void RefreshExpiring()
    {
        // No total, given or configured: the run does not start (a scheduled run could otherwise spend without bound).
        RefreshBudget budget;
        try
        {
            budget = Checked(() => PaymentCeiling.RunBudget(TotalBudgetSat));
        }
        catch (VpnCmdletException e)
        {
            ThrowTerminatingError(e.ErrorRecord);
            return;
        }

        var contracts = Checked(VpnSession.Bought);
        // An unreadable contract may be a tunnel that needed refreshing: the run reports it and ends as incomplete.
        var due = Checked(() => contracts.DueForRefresh(DateTimeOffset.UtcNow, ExpiringWithin, unreadable =>
        {
            _failures++;
            WriteError(ToErrorRecord(unreadable, unreadable.Path));
        }));
        var approved = due.Where(c => ApprovedInRun(c)).ToList();
        if (approved.Count == 0)
        {
            return;
        }

        var node = RequireNode();
        var outcomes = Run(async (log, ct) =>
        {
            await using var buyer = new Buyer(node, contracts, SessionWireGuard.ForReading(), log);
            return await buyer.ScheduledRefresh.RunAsync(approved, ExpiringWithin, Duration, budget, Options, ct).ConfigureAwait(false);
        });
        var reader = SessionWireGuard.ForReading();
        foreach (var outcome in outcomes)
        {
            if (outcome.Failure is { } failure)
            {
                _failures++;
                WriteError(ToErrorRecord(failure, outcome.Id));
            }
            else if (outcome.Refreshed is { } refreshed)
            {
                WriteObject(Run((log, ct) => TunnelStatus.ReadAsync(refreshed, contracts, reader, ct)) is { } status ? VpnTunnel.From(status) : null);
            }
        }
    }

    /// <summary>One tunnel of a scheduled run approved; one refused for want of a confirmation is reported and
    /// counted, and the run goes on with the others.</summary>
    private bool ApprovedInRun(BoughtContract contract)
    {
        try
        {
            return Approved(contract, $" (expires {contract.ExpiresAt:u})");
        }
        catch (VpnCmdletException e)
        {
            _failures++;
            WriteError(WithTarget(e.ErrorRecord, contract.Id));
            return false;
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
