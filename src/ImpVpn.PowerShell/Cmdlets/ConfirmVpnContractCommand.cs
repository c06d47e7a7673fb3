using System.Management.Automation;
using ImpVpn.Core.Buyer;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

using ImpVpn.PowerShell.Completion;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Accepts a quote, pays its hold invoice and brings the tunnel up (AcceptContract).
/// What users read (Get-Help) is written in docs/help/Confirm-VpnContract.md.
/// </summary>
[Cmdlet(VerbsLifecycle.Confirm, "VpnContract", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = QuoteSet)]
[OutputType(typeof(VpnTunnel))]
public sealed class ConfirmVpnContractCommand : VpnCmdletBase
{
    private const string QuoteSet = "Quote";
    private const string TermsSet = "Terms";
    private const string ResumeSet = "Resume";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = QuoteSet)]
    public VpnQuote? Quote { get; set; }

    // The original API's three values, also taken by property name from piped objects (a quote passed through
    // Select-Object or a CSV of them): SellerPubKey, Nonce, PriceSat.
    [Parameter(Mandatory = true, ParameterSetName = TermsSet, ValueFromPipelineByPropertyName = true)]
    [Alias("SellerPubKey")]
    [ValidatePattern("^0[23][0-9a-fA-F]{64}$")]
    [ArgumentCompleter(typeof(SellerPubKeyCompleter))]
    public string PubKey { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = TermsSet, ValueFromPipelineByPropertyName = true)]
    public string Nonce { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = TermsSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PriceSat")]
    [ValidateRange(1, long.MaxValue)]
    public long Price { get; set; }

    // Not from the pipeline: a piped tunnel's SellerPubKey and PriceSat would also bind the Terms set by property
    // name, and PowerShell could not choose between the two sets.
    [Parameter(Mandatory = true, ParameterSetName = ResumeSet)]
    [ArgumentCompleter(typeof(TunnelIdCompleter))]
    [ValidatePattern("^[0-9a-zA-Z]{1,64}$")]
    public string Id { get; set; } = string.Empty;

    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long? MaxPriceSat { get; set; }

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long FeeLimitSat { get; set; } = 10;

    [Parameter]
    public SwitchParameter ConfigOnly { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ResumeSet)
        {
            Resume();
            return;
        }

        var quote = ParameterSetName == QuoteSet ? Quote : RecallQuote();
        if (quote is null)
        {
            return;
        }

        if (!ShouldProcess($"{quote.SellerPubKey}", $"Pay {quote.PriceSat} sat (plus at most {FeeLimitSat} sat routing fee) for a {quote.Duration} tunnel"))
        {
            return;
        }

        var node = RequireNode();
        var wireGuard = ConfigOnly ? null : CheckedWireGuard();
        try
        {
            var tunnel = Run(async (log, ct) =>
            {
                var store = VpnSession.Store();
                await using var buyer = new VpnBuyer(node, wireGuard, store, log);
                var options = new BuyerOptions { MaxPriceSat = MaxPriceSat, FeeLimitSat = FeeLimitSat, ConfigOnly = ConfigOnly };
                var contract = await buyer.ConfirmAsync(quote, options, ct).ConfigureAwait(false);
                TunnelFactory.WriteConfig(contract, store);
                var described = await TunnelFactory.DescribeAsync(contract, store, wireGuard, ct).ConfigureAwait(false);
                return described;
            });
            WriteObject(tunnel);
        }
        catch (VpnCmdletException e)
        {
            WriteError(e.ErrorRecord);
        }
    }

    private void Resume()
    {
        var recorded = Checked(() => VpnSession.ExistingStore()?.Find(Id));
        if (recorded is null || recorded.Role != ContractRole.Buyer)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No contract {Id} bought from this machine (store: {VpnSession.StorePath ?? "the default"})."),
                "ImpVpn.UnknownContract", ErrorCategory.ObjectNotFound, Id));
            return;
        }

        var action = recorded.State == ContractState.Paying
            ? $"Finish the purchase: pay {recorded.PriceSat} sat (plus at most {FeeLimitSat} sat routing fee) only if your node never attempted the payment"
            : $"Fetch the {recorded.State} tunnel's configuration again (nothing is paid)";
        if (!ShouldProcess(Id, action))
        {
            return;
        }

        var node = RequireNode();
        var wireGuard = ConfigOnly ? null : CheckedWireGuard();
        try
        {
            WriteObject(Run(async (log, ct) =>
            {
                var store = VpnSession.Store();
                using var locked = await store.LockAsync(TimeSpan.FromMinutes(1), ct).ConfigureAwait(false);
                await using var buyer = new VpnBuyer(node, wireGuard, store, log);
                var contract = await buyer.ResumeAsync(Id, new BuyerOptions { MaxPriceSat = MaxPriceSat, FeeLimitSat = FeeLimitSat, ConfigOnly = ConfigOnly }, ct).ConfigureAwait(false);
                if (contract.State == Core.Contracts.ContractState.Active)
                {
                    TunnelFactory.WriteConfig(contract, store);
                }

                return await TunnelFactory.DescribeAsync(contract, store, wireGuard, ct).ConfigureAwait(false);
            }));
        }
        catch (VpnCmdletException e)
        {
            WriteError(e.ErrorRecord);
        }
    }

    /// <summary>The session's quote with these terms; null (after writing the error) when there is none, so one
    /// unknown row in piped input does not stop the rows after it.</summary>
    private VpnQuote? RecallQuote()
    {
        var quote = VpnSession.Recall(Nonce);
        if (quote is null || !string.Equals(quote.SellerPubKey, PubKey, StringComparison.OrdinalIgnoreCase) || quote.PriceSat != Price)
        {
            WriteError(new ErrorRecord(new ArgumentException($"No quote with nonce {Nonce} at {Price} sat from {PubKey} in this session. Run Request-VpnQuote first."),
                "ImpVpn.UnknownQuote", ErrorCategory.ObjectNotFound, Nonce));
            return null;
        }

        return quote;
    }

    private WireGuardHost CheckedWireGuard()
    {
        var missing = WireGuardPrerequisites.Check();
        if (missing.Count > 0)
        {
            ThrowTerminatingError(new ErrorRecord(new WireGuardPrerequisiteException(missing), "ImpVpn.WireGuardPrerequisites",
                ErrorCategory.NotInstalled, null) { ErrorDetails = new ErrorDetails(new WireGuardPrerequisiteException(missing).Message + " Or use -ConfigOnly.") });
        }

        return WireGuardHosts.ForThisMachine();
    }
}
