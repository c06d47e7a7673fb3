using System.Globalization;
using System.Net;
using System.Text;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>
/// The nftables script of a full tunnel's kill switch: one table of its own (<c>inet impvpn_ks_NAME</c>), replaced
/// whole in one transaction. Its output chain drops (policy) everything this host sends except: loopback; the tunnel's
/// interface; UDP to the seller's endpoint (the tunnel itself); the kept-outside exceptions (the node's p2p port
/// either way, its peers' addresses); IPv6 neighbour and router discovery and DHCP on the link (without them the
/// uplink itself stops working). DNS (port 53, UDP and TCP) to anything but the tunnel's resolvers is dropped first,
/// whatever interface it would take. Counter <c>leaked</c> counts what the policy dropped. It is kernel state: it
/// stays when wireguard-go dies, and when the interface is gone its traffic has nowhere to go. Its prerouting chain
/// drops packets for the buyer's tunnel address arriving on any other interface (wg-quick's guard against spoofed
/// packets), whether or not the kill switch is on.
/// </summary>
internal static class KillSwitchRuleset
{
    public static string TableName(string interfaceName) => "impvpn_ks_" + SellerFirewallRules.ValidInterfaceName(interfaceName);

    public static string Apply(FullTunnelPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var name = SellerFirewallRules.ValidInterfaceName(plan.InterfaceName);
        var table = TableName(name);
        var tunnelAddress = IPAddress.Parse(plan.BuyerTunnelAddress);
        var endpoint = IPEndPoint.Parse(plan.Endpoint);
        var script = new StringBuilder();
        // Declared, then deleted, then written whole: one transaction that replaces any earlier version.
        script.Append(CultureInfo.InvariantCulture, $"table inet {table}\ndelete table inet {table}\ntable inet {table} {{\n");
        script.Append("\tcounter leaked { }\n");
        script.Append("\tchain preraw {\n\t\ttype filter hook prerouting priority raw; policy accept;\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\tiifname != \"{name}\" {Match(tunnelAddress)} daddr {tunnelAddress} fib saddr type != local drop\n\t}}\n");
        if (plan.KillSwitch)
        {
            script.Append("\tchain output {\n\t\ttype filter hook output priority filter; policy drop;\n");
            script.Append("\t\toifname \"lo\" accept\n");
            foreach (var (family, match) in new[] { (FullTunnelPlan.IPv4, "ip"), (FullTunnelPlan.IPv6, "ip6") })
            {
                var resolvers = plan.Resolvers.Select(IPAddress.Parse).Where(a => FullTunnelPlan.FamilyOf(a) == family).Select(Plain).ToList();
                var nfproto = family == FullTunnelPlan.IPv6 ? "ipv6" : "ipv4";
                script.Append(resolvers.Count == 0
                    ? $"\t\tmeta nfproto {nfproto} meta l4proto {{ tcp, udp }} th dport 53 drop\n"
                    : $"\t\tmeta l4proto {{ tcp, udp }} th dport 53 {match} daddr != {{ {string.Join(", ", resolvers)} }} drop\n");
            }

            script.Append(CultureInfo.InvariantCulture, $"\t\toifname \"{name}\" accept\n");
            script.Append(CultureInfo.InvariantCulture, $"\t\t{Match(endpoint.Address)} daddr {Plain(endpoint.Address)} udp dport {endpoint.Port} accept\n");
            foreach (var port in plan.KeepOutsidePorts.Select(PolicyRoutingSteps.ValidPort))
            {
                script.Append(CultureInfo.InvariantCulture, $"\t\ttcp sport {port} accept\n\t\ttcp dport {port} accept\n");
            }

            foreach (var address in plan.KeepOutsideAddresses.Select(IPAddress.Parse))
            {
                script.Append(CultureInfo.InvariantCulture, $"\t\t{Match(address)} daddr {Plain(address)} accept\n");
            }

            script.Append("\t\ticmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } accept\n");
            script.Append("\t\tudp sport 68 udp dport 67 accept\n");
            script.Append("\t\tudp sport 546 udp dport 547 accept\n");
            script.Append("\t\tcounter name leaked drop\n\t}\n");
        }

        script.Append("}\n");
        return script.ToString();
    }

    /// <summary>Removes the table, whether or not it is there (declared first, so the delete always finds it).</summary>
    public static string Remove(string interfaceName)
    {
        var table = TableName(interfaceName);
        return $"table inet {table}\ndelete table inet {table}\n";
    }

    private static string Match(IPAddress address) => FullTunnelPlan.FamilyOf(address) == FullTunnelPlan.IPv6 ? "ip6" : "ip";

    // Rendered into a script run as root: only plain dotted or colon notation, never a scope.
    private static string Plain(IPAddress address) => !FullTunnelPlan.HasScope(address)
        ? address.ToString()
        : throw new ArgumentException($"'{address}' has a scope; it cannot go into a firewall rule.", nameof(address));
}
