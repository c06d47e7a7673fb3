using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;
using ImpVpn.PowerShell.Validation;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Finds sellers (nodes whose announcement says they sell, and connected peers) and what each offers.
/// What users read (Get-Help) is written in docs/help/Find-VpnProvider.md.
/// </summary>
[Cmdlet(VerbsCommon.Find, "VpnProvider")]
[OutputType(typeof(VpnOffer))]
public sealed class FindVpnProviderCommand : VpnCmdletBase
{
    // Strings with a ValidateSet, as Request-VpnQuote's: the enums live in the core's load context.
    [Parameter(Position = 0)]
    [ValidateSet("NodeToNode", "Exit", "PortForward")]
    public string[] Mode { get; set; } = [];

    [Parameter]
    [ValidateSet("IPv4", "IPv6", "Dual")]
    public string[] AddressFamily { get; set; } = [];

    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxPricePerHourSat { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Region { get; set; } = [];

    /// <summary>How long one seller may take to connect and answer (at most DiscoveryOptions.MaxPerSellerTimeout).</summary>
    [Parameter]
    [ValidatePositiveDuration(MaxSeconds = 300)]
    public TimeSpan Timeout { get; set; } = DiscoveryOptions.Default.PerSellerTimeout;

    /// <summary>How many nodes are asked at most: the peers first, then advertisers from the graph at random.</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int MaxCandidates { get; set; } = DiscoveryOptions.DefaultMaxCandidates;

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = DiscoveryOptions.Default.MaxConcurrency;

    protected override void ProcessRecord()
    {
        var node = RequireNode();
        var filter = new OfferFilter(
            Mode.Select(m => Enum.Parse<TunnelMode>(m, ignoreCase: true)).Distinct().ToList(),
            AddressFamily.Select(f => Enum.Parse<TunnelAddressFamily>(f, ignoreCase: true)).Distinct().ToList(),
            MyInvocation.BoundParameters.ContainsKey(nameof(MaxPricePerHourSat)) ? MaxPricePerHourSat : null,
            Region);
        try
        {
            var found = Run(async (log, ct) =>
            {
                await using var buyer = new Buyer(node, VpnSession.Bought(), null, log);
                return await buyer.Discovery.FindAsync(filter, new DiscoveryOptions(ThrottleLimit, Timeout, MaxCandidates: MaxCandidates), ct).ConfigureAwait(false);
            });
            foreach (var offer in found)
            {
                WriteObject(Piped(VpnOffer.From(offer)));
            }
        }
        catch (VpnCmdletException e)
        {
            WriteError(e.ErrorRecord);
        }
    }

    /// <summary>The offer, carrying the one mode and the one address family asked for (when exactly one was) as Mode
    /// and AddressFamily: Request-VpnQuote binds them by name, so `Find-VpnProvider -Mode Exit | Request-VpnQuote`
    /// asks each seller for an exit. Without one, the offer carries none and Request-VpnQuote asks its own default,
    /// never a mode the user did not choose (an exit changes this machine's routing).</summary>
    private PSObject Piped(VpnOffer offer)
    {
        var record = PSObject.AsPSObject(offer);
        var modes = Mode.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (modes.Count == 1)
        {
            record.Properties.Add(new PSNoteProperty("Mode", Canonical<TunnelMode>(modes[0])));
        }

        var families = AddressFamily.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (families.Count == 1)
        {
            record.Properties.Add(new PSNoteProperty("AddressFamily", Canonical<TunnelAddressFamily>(families[0])));
        }

        return record;
    }

    private static string Canonical<T>(string name)
        where T : struct, Enum => Enum.Parse<T>(name, ignoreCase: true).ToString();
}
