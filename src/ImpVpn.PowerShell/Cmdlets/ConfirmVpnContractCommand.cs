using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.PowerShell.Completion;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Accepts a quote, pays its hold invoice and brings the tunnel up (AcceptContract); or, with -Id, finishes a
/// purchase an interruption left unfinished.
/// What users read (Get-Help) is written in docs/help/Confirm-VpnContract.md.
/// </summary>
[Cmdlet(VerbsLifecycle.Confirm, "VpnContract", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = QuoteSet)]
[OutputType(typeof(VpnTunnel))]
public sealed class ConfirmVpnContractCommand : VpnCmdletBase
{
    private const string QuoteSet = "Quote";
    private const string TermsSet = "Terms";
    private const string ResumeSet = "Resume";

    // Anything piped binds here: a VpnQuote, the same quote back from another process (Export-Clixml, a job), or an
    // object with the original API's three values (a quote passed through Select-Object, a CSV); see PipedQuote.
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = QuoteSet)]
    public PSObject? Quote { get; set; }

    // The original API's three values, given by name.
    [Parameter(Mandatory = true, ParameterSetName = TermsSet)]
    [Alias("SellerPubKey")]
    [ValidatePattern("^0[23][0-9a-fA-F]{64}$")]
    [ArgumentCompleter(typeof(SellerPubKeyCompleter))]
    public string PubKey { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = TermsSet)]
    public string Nonce { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = TermsSet)]
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

    // The most the routing fee may cost; without it, 1% of the amount and at least 10 sat (RoutingFeeLimit).
    // FeeLimitSat was its name in 0.1. Bounded by all the bitcoin there is: a larger limit means nothing, and sums
    // of it must stay far from overflowing.
    [Parameter]
    [Alias("FeeLimitSat")]
    [ValidateRange(0, QuoteCheck.MaxSat)]
    public long? MaxRoutingFeeSat { get; set; }

    [Parameter]
    public SwitchParameter ConfigOnly { get; set; }

    // Above this (price plus fee cap), a payment is confirmed first; $ImpVpnConfirmAboveSat when not given.
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? ConfirmAboveSat { get; set; }

    // Confirms on the command line a payment above the threshold, where nobody could be asked.
    [Parameter]
    public SwitchParameter Force { get; set; }

    // A port forward: write the externalhosts line into lnd.conf (-LndConfigPath, or LND's default directory).
    [Parameter]
    public SwitchParameter Apply { get; set; }

    [Parameter]
    public string? LndConfigPath { get; set; }

    // An exit only: the full tunnel without its kill switch (traffic may then leave outside the tunnel when it fails).
    [Parameter]
    public SwitchParameter NoKillSwitch { get; set; }

    // An exit only: the node's p2p port (LND's listen port), whose connections stay outside the tunnel.
    [Parameter]
    [ValidateRange(1, 65535)]
    public int LightningPort { get; set; } = FullTunnelOptions.DefaultNodeP2pPort;

    private BuyerOptions Options => new()
    {
        MaxPriceSat = MaxPriceSat,
        MaxRoutingFeeSat = MaxRoutingFeeSat,
        ConfigOnly = ConfigOnly,
        FullTunnel = new FullTunnelOptions { KillSwitch = !NoKillSwitch, NodeP2pPort = LightningPort, KeepOutsideAddresses = RemoteNodeAddress() },
    };

    /// <summary>What -WhatIf and a confirmation say about an exit: this machine's traffic changes course.</summary>
    private string ExitNote(VpnQuote quote) =>
        quote.Mode == ImpVpn.Core.Protocol.TunnelOfferVocabulary.WireName(ImpVpn.Core.Protocol.TunnelMode.Exit) && !ConfigOnly
            ? $", an exit: all of this machine's traffic through it, TCP port {LightningPort} and the node's peers outside, kill switch {(NoKillSwitch ? "off" : "on")}"
            : string.Empty;

    /// <summary>The session's node, when it is reached by IP address on another host: its gRPC connection must stay
    /// outside an exit's tunnel (and pass its kill switch), or the purchase could not claim. A node named by host
    /// name is not resolved here (docs/full-tunnel.md says so).</summary>
    private static string[] RemoteNodeAddress()
    {
        if (VpnSession.RpcAddress is not { } rpc)
        {
            return [];
        }

        var (host, _) = ImpVpn.Core.Lightning.Lnd.LndConnectionOptions.ParseHostPort(rpc);
        return System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && !System.Net.IPAddress.IsLoopback(address) && !address.IsIPv6LinkLocal && !address.Equals(System.Net.IPAddress.Any) && !address.Equals(System.Net.IPAddress.IPv6Any)
            ? [address.ToString()]
            : [];
    }

    protected override void ProcessRecord()
    {
        try
        {
            if (ParameterSetName == ResumeSet)
            {
                Resume();
            }
            else if ((ParameterSetName == QuoteSet ? Checked(() => PipedQuote.From(Quote!, RecallQuote)) : RecallQuote(PubKey, Nonce, Price)) is { } quote)
            {
                Buy(quote);
            }
        }
        catch (VpnCmdletException e)
        {
            WriteError(e.ErrorRecord);
        }
    }

    private void Buy(VpnQuote quote)
    {
        var feeLimit = Options.FeeLimitFor(quote.PriceSat);
        var action = $"Pay {quote.PriceSat} sat ({RouteFeePreview.Describe(this, quote.SellerPubKey, quote.PriceSat, feeLimit)}) to {quote.SellerPubKey} for a {quote.Duration} tunnel{ExitNote(quote)}";
        if (!ShouldProcess(quote.SellerPubKey, action)
            || !PaymentConfirmation.Approve(this, PaymentConfirmation.Threshold(this, ConfirmAboveSat), Force, PaymentCeiling.MostCostSat(quote.PriceSat, feeLimit), action, quote.SellerPubKey))
        {
            return;
        }

        var node = RequireNode();
        var wireGuard = ChooseWireGuard(() => SessionWireGuard.ForChanging(ConfigOnly));
        var tunnel = Run(async (log, ct) =>
        {
            await using var buyer = new Buyer(node, VpnSession.Bought(), wireGuard, log);
            var contract = await buyer.Purchase.ConfirmAsync(quote, Options, ct).ConfigureAwait(false);
            return VpnTunnel.From(await TunnelStatus.ReadAsync(contract, buyer.Contracts, wireGuard, ct).ConfigureAwait(false));
        });
        WriteObject(tunnel);
        ForwardedPortAnnouncement.Announce(this, tunnel, Apply, LndConfigPath);
    }

    private void Resume()
    {
        if (FindBoughtOrReport(Checked(VpnSession.ExistingBought), Id) is not { } recorded)
        {
            return;
        }

        var feeLimit = Options.FeeLimitFor(recorded.PriceSat);
        var action = recorded.State == BoughtContractState.Paying
            ? $"Finish the purchase: pay {recorded.PriceSat} sat ({RouteFeePreview.Describe(this, recorded.SellerPubKey, recorded.PriceSat, feeLimit)}) to {recorded.SellerPubKey} for contract {Id}, only if your node never attempted the payment"
            : $"Fetch the {recorded.State} tunnel's configuration again (nothing is paid)";
        if (!ShouldProcess(Id, action)
            || (recorded.State == BoughtContractState.Paying
                && !PaymentConfirmation.Approve(this, PaymentConfirmation.Threshold(this, ConfirmAboveSat), Force, PaymentCeiling.MostCostSat(recorded.PriceSat, feeLimit), action, Id)))
        {
            return;
        }

        var node = RequireNode();
        var wireGuard = ChooseWireGuard(() => SessionWireGuard.ForChanging(ConfigOnly));
        var tunnel = Run(async (log, ct) =>
        {
            await using var buyer = new Buyer(node, VpnSession.Bought(), wireGuard, log);
            var contract = await buyer.Purchase.ResumeAsync(Id, Options, ct).ConfigureAwait(false);
            return VpnTunnel.From(await TunnelStatus.ReadAsync(contract, buyer.Contracts, wireGuard, ct).ConfigureAwait(false));
        });
        WriteObject(tunnel);
        ForwardedPortAnnouncement.Announce(this, tunnel, Apply, LndConfigPath);
    }

    /// <summary>The session's quote with these terms; null (after writing the error) when there is none, so one
    /// unknown row in piped input does not stop the rows after it.</summary>
    private VpnQuote? RecallQuote(string pubKey, string nonce, long price)
    {
        var quote = VpnSession.Recall(nonce);
        if (quote is null || !string.Equals(quote.SellerPubKey, pubKey, StringComparison.OrdinalIgnoreCase) || quote.PriceSat != price)
        {
            WriteError(new ErrorRecord(new ArgumentException($"No quote with nonce {nonce} at {price} sat from {pubKey} in this session."),
                "ImpVpn.UnknownQuote", ErrorCategory.ObjectNotFound, nonce)
            {
                ErrorDetails = new ErrorDetails($"No quote with nonce {nonce} at {price} sat from {pubKey} in this session.")
                {
                    RecommendedAction = "Run Request-VpnQuote in this session first, or pipe the quote object itself (Export-Clixml keeps all of it).",
                },
            });
            return null;
        }

        return quote;
    }
}
