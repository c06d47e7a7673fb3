using System.Management.Automation;
using ImpVpn.Core.Buyer;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Contracts;
using ImpVpn.PowerShell.Session;

using ImpVpn.PowerShell.Completion;
using ImpVpn.PowerShell.Validation;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Asks a Lightning node that sells tunnels for a price (RequestQuote).
/// What users read (Get-Help) is written in docs/help/Request-VpnQuote.md.
/// </summary>
[Cmdlet(VerbsLifecycle.Request, "VpnQuote")]
[OutputType(typeof(VpnQuote))]
public sealed class RequestVpnQuoteCommand : VpnCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SellerPubKey")]
    [ArgumentCompleter(typeof(SellerPubKeyCompleter))]
    [ValidatePattern(@"^0[23][0-9a-fA-F]{64}(@\S+:\d{1,5})?$")]
    public string[] PubKey { get; set; } = [];

    [Parameter]
    [ValidatePositiveDuration]
    public TimeSpan Duration { get; set; } = TimeSpan.FromHours(1);

    [Parameter]
    [ValidatePositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    protected override void ProcessRecord()
    {
        var node = RequireNode();
        foreach (var given in PubKey)
        {
            // pubkey@host:port, as node URIs are shared (lncli connect): the address is tried before the graph's.
            var at = given.IndexOf('@');
            var pubKey = at < 0 ? given : given[..at];
            var address = at < 0 ? null : given[(at + 1)..];
            try
            {
                var quote = Run(async (log, ct) =>
                {
                    await using var buyer = new VpnBuyer(node, null, VpnSession.Store(), log);
                    return await buyer.RequestQuoteAsync(pubKey, Duration, Timeout, ct, address).ConfigureAwait(false);
                });
                VpnSession.Remember(quote);
                WriteObject(quote);
            }
            catch (VpnCmdletException e)
            {
                WriteError(WithTarget(e.ErrorRecord, given));
            }
        }
    }
}
