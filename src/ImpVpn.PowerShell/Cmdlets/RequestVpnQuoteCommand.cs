using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.PowerShell.Completion;
using ImpVpn.PowerShell.Session;
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

    // Strings with a ValidateSet rather than the core's enums: the core loads in the module's own load context, so a
    // core type in a parameter would be unresolvable wherever the cmdlet class is read without it (the help build).
    // The names are the enums' (TunnelMode, TunnelAddressFamily), parsed when the quote is asked.
    // Both bind from a piped object's Mode and AddressFamily (Find-VpnProvider -Mode Exit | Request-VpnQuote); the
    // protocol's spellings (a VpnQuote's "node-to-node") are read as these names.
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [OfferNameTransformation]
    [ValidateSet("NodeToNode", "Exit", "PortForward")]
    public string Mode { get; set; } = "NodeToNode";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [OfferNameTransformation]
    [ValidateSet("IPv4", "IPv6", "Dual")]
    public string AddressFamily { get; set; } = "IPv4";

    [Parameter]
    [ValidatePositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    protected override void ProcessRecord()
    {
        var node = RequireNode();
        foreach (var given in PubKey)
        {
            try
            {
                var seller = Checked(() => SellerNode.Parse(given));
                var quote = Run(async (log, ct) =>
                {
                    await using var buyer = new Buyer(node, VpnSession.Bought(), null, log);
                    return await buyer.Quotes.RequestAsync(seller, Duration, TunnelOfferVocabulary.Offer(Enum.Parse<TunnelMode>(Mode, ignoreCase: true), Enum.Parse<TunnelAddressFamily>(AddressFamily, ignoreCase: true)), Timeout, ct).ConfigureAwait(false);
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
