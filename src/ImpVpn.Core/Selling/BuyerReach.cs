using System.Net;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// What a buyer can reach on the seller's host: only what an offer grants (node to node: the seller's tunnel address,
/// answering ping, TCP on <see cref="SellerOptions.AllowedPorts"/>), never the host's other services and never another
/// buyer unless <see cref="SellerOptions.AllowBuyerToBuyer"/>. Closed by default: where the firewall cannot be set,
/// the seller does not start, unless <see cref="SellerOptions.ManageFirewall"/> is off.
/// </summary>
/// <remarks>
/// The seller closes its host before it makes its interface (the rules match the interface by name) and so before
/// any peer is added or any buyer answered. It never opens it again on stop: the interface and the peers of active
/// contracts outlive the seller process (so a restart does not cut tunnels), the filter's admissions end each
/// buyer's access at its expiry while no seller runs (<see cref="PeerProvisioning"/>), and an interface without its
/// filter would be open to them. Only <see cref="SellerWithdrawal"/> takes it away, after the interface.
/// </remarks>
internal sealed class BuyerReach(WireGuardHost? wireGuard, SellerOptions options, IPAddress sellerAddress, IProgressLog log)
{
    /// <param name="admitted">the buyers paid for now, admitted in the same step (<see cref="PeerProvisioning.Admissions"/>).</param>
    public async Task CloseHostAsync(IReadOnlyCollection<BuyerAdmission> admitted, CancellationToken cancellationToken)
    {
        if (options.ConfigOnly || wireGuard is null)
        {
            // No interface of ImpVpn's here: whoever runs the tunnels guards them.
            return;
        }

        if (!options.ManageFirewall)
        {
            log.Log(LogLevel.Warning, $"Interface {options.InterfaceName} is not filtered by ImpVpn: buyers can reach every service this host runs on all its addresses, and one another, unless another firewall closes them.");
            await RemoveLeftoverAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var rules = new SellerFirewallRules(options.InterfaceName, sellerAddress, options.AllowedPorts, options.AllowBuyerToBuyer)
        {
            // Exit contracts sold before keep their exit, whatever is sold now (as port forwards keep their ports).
            Exit = SellerExitCheck.Rules(options, sellerAddress, exitsLive: admitted.Any(a => a.Exit)),
        };

        // Port forwarding: configured, whatever is sold now, so contracts sold before keep their ports.
        rules = options.PortForward is { } forward ? rules with { PortForward = new SellerPortForwardRules(forward.TargetPort) } : rules;
        if (wireGuard.Firewall is null)
        {
            throw new SellerFirewallException(options.InterfaceName, "ImpVpn drives no firewall on this machine (it uses nftables, on Linux).") { Unavailable = true };
        }

        IReadOnlyList<string> said;
        try
        {
            said = await wireGuard.Firewall.ApplyAsync(rules, admitted, cancellationToken).ConfigureAwait(false);
        }
        catch (SellerFirewallException e) when (e.MissingEgressInterface is { } egress)
        {
            throw new SellerExitException(nameof(SellerOptions.EgressInterface), $"This seller sells exit tunnels out of '{egress}', and there is no interface of that name here.", e);
        }

        foreach (var change in said)
        {
            log.Log(LogLevel.Info, change);
        }

        log.Log(LogLevel.Verbose, $"Buyers on {options.InterfaceName} may reach {sellerAddress} by ping{Ports(rules)}{Dns(rules)}{(rules.AllowBuyerToBuyer ? ", and one another" : string.Empty)}{Exit(rules)}; nothing else.");
    }

    private static string Dns(SellerFirewallRules rules) =>
        rules.Exit is { ResolverOnTunnelAddress: true } ? " and DNS (udp and tcp 53)" : string.Empty;

    private static string Exit(SellerFirewallRules rules) =>
        rules.Exit is { } exit
            ? $", and, paid for an exit, the internet out of {exit.EgressInterfaceName} ({(rules.IsIPv6 && exit.IPv6 == IPv6Exit.Routed ? "routed, with their own addresses" : "masqueraded")}) except the private and reserved ranges, {exit.EgressInterfaceName}'s own networks{(exit.RefusedDestinations.Count > 0 ? " and " + string.Join(", ", exit.RefusedDestinations) : string.Empty)}"
            : string.Empty;

    /// <summary>A table an earlier run with the firewall left behind would drop every buyer this run, which admits
    /// none, serves; it goes, where it can.</summary>
    private async Task RemoveLeftoverAsync(CancellationToken cancellationToken)
    {
        if (wireGuard?.Firewall is not { } firewall)
        {
            return;
        }

        try
        {
            await firewall.RemoveAsync(options.InterfaceName, cancellationToken).ConfigureAwait(false);
        }
        catch (SellerFirewallException e)
        {
            // No nft, or no nf_tables here (often why the firewall is left to others): then there was no table either.
            log.Log(LogLevel.Verbose, e.Message);
        }
    }

    private static string Ports(SellerFirewallRules rules) =>
        rules.AllowedTcpPorts.Count == 0 ? string.Empty : " and on TCP " + string.Join(", ", rules.AllowedTcpPorts);
}
