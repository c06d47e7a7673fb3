using System.Management.Automation;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.PowerShell.Session;
using ImpVpn.PowerShell.Validation;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Sells tunnels from your node until Ctrl+C.
/// What users read (Get-Help) is written in docs/help/Start-VpnProvider.md.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "VpnProvider")]
public sealed class StartVpnProviderCommand : VpnCmdletBase
{
    [Parameter(Mandatory = true)]
    public string Endpoint { get; set; } = string.Empty;

    [Parameter]
    [ValidateLength(1, 15)]
    public string InterfaceName { get; set; } = "impvpn0";

    [Parameter]
    [ValidateRange(1, 65535)]
    public int ListenPort { get; set; } = 51820;

    [Parameter]
    public string Subnet { get; set; } = "10.77.0.0/24";

    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long PricePerHourSat { get; set; } = 1000;

    [Parameter]
    [ValidatePositiveDuration]
    public TimeSpan MinimumDuration { get; set; } = TimeSpan.FromMinutes(1);

    [Parameter]
    [ValidatePositiveDuration]
    public TimeSpan MaximumDuration { get; set; } = TimeSpan.FromDays(30);

    [Parameter]
    public SwitchParameter ConfigOnly { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int[] AllowedPort { get; set; } = [9735];

    [Parameter]
    public SwitchParameter AllowBuyerToBuyer { get; set; }

    [Parameter]
    public SwitchParameter NoFirewall { get; set; }

    // Strings with a ValidateSet rather than the core's enums, as Request-VpnQuote's -Mode (the help build reads the
    // cmdlet class without the core). Port forwarding also needs -ForwardedPorts.
    [Parameter]
    [ValidateSet("NodeToNode", "Exit", "PortForward")]
    public string[] Mode { get; set; } = ["NodeToNode"];

    [Parameter]
    [ValidateLength(1, 15)]
    public string? EgressInterface { get; set; }

    [Parameter]
    public string[] Resolver { get; set; } = [];

    [Parameter]
    public string[] RefusedDestination { get; set; } = [];

    [Parameter]
    [ValidateSet("Masquerade", "Routed")]
    public string IPv6Exit { get; set; } = "Masquerade";

    // Port forwards (sold with -Mode PortForward): the public TCP ports, one per contract, "first-last".
    [Parameter]
    [ValidatePattern(@"^[0-9]{1,5}(-[0-9]{1,5})?$")]
    public string? ForwardedPorts { get; set; }

    // The host buyers' nodes announce for their forwarded port; the -Endpoint's host when not given.
    [Parameter]
    public string? PublicAddress { get; set; }

    // Checked by the core (SellerOptions.ValidRegion) with the rule buyers apply to offers, so the two cannot differ.
    [Parameter]
    public string? Region { get; set; }

    protected override void EndProcessing()
    {
        // Every setting is checked before anything starts: a seller must not take payments for tunnels it cannot give.
        var options = Checked(() => new SellerOptions
        {
            InterfaceName = InterfaceName,
            Endpoint = SellerOptions.ValidEndpoint(Endpoint),
            ListenPort = ListenPort,
            Subnet = IpPrefix.Parse(Subnet),
            Pricing = new Pricing(PricePerHourSat, MinimumDuration, MaximumDuration).Validated(),
            ConfigOnly = ConfigOnly,
            AllowedPorts = AllowedPort ?? [],
            AllowBuyerToBuyer = AllowBuyerToBuyer,
            ManageFirewall = !NoFirewall,
            PortForward = PortForwardOptions.FromSettings(PublicAddress, ForwardedPorts, SellerOptions.ValidEndpoint(Endpoint)),
            SoldModes = [.. (Mode ?? []).Select(m => Enum.Parse<TunnelMode>(m, ignoreCase: true)).Distinct()],
            EgressInterface = EgressInterface,
            Resolvers = Resolver ?? [],
            RefusedDestinations = [.. (RefusedDestination ?? []).Select(RefusedPrefix)],
            IPv6Exit = Enum.Parse<IPv6Exit>(IPv6Exit, ignoreCase: true),
            Region = SellerOptions.ValidRegion(Region),
        });
        Checked(() => SellerExitCheck.Check(options));
        var node = RequireNode();
        var wireGuard = ChooseWireGuard(() => SessionWireGuard.ForChanging(ConfigOnly));
        Run(async (log, ct) =>
        {
            await using var seller = new VpnSeller(node, wireGuard, VpnSession.Store(), options, log);
            await seller.RunAsync(ct).ConfigureAwait(false);
            return true;
        });
    }

    private static IpPrefix RefusedPrefix(string text) =>
        IpPrefix.TryParse(text, out var prefix)
            ? prefix
            : throw new SellerExitException(nameof(SellerOptions.RefusedDestinations), $"'{text}' is not an address prefix such as 192.0.2.0/24 or 2001:db8::/48.");
}
