using System.Globalization;
using System.Net;
using System.Text;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Firewall;

/// <summary>
/// The nftables script for a seller's interface: one table of its own (<c>inet impvpn_NAME</c>), so ImpVpn never
/// touches a rule it did not write, and the host's other tables keep deciding everything else. A packet that one
/// table drops stays dropped whatever another accepts, so this table can only close, never open.
/// </summary>
/// <remarks>
/// Each script first declares the table, then deletes it, then (for <see cref="Apply"/>) writes it whole. nft runs
/// a file as one transaction: the interface goes from the old rules to the new without a moment unfiltered, and
/// the script works whether or not the table exists (nftables 1.0.6, Debian 12's, has no "destroy").
/// Rules match the interface by name (<c>iifname</c>), so they hold for an interface made after them, and for one
/// deleted and made again.
/// Paid time lives in the set <c>paid</c>: a buyer's tunnel address is an element with a timeout, which the kernel
/// removes when the time is up. Every packet from or to the interface whose buyer address is not in the set is
/// dropped first, before any "established" shortcut, so an expired buyer's open connections end too, whether or not
/// the seller's process is still there to remove its peer. Applying the table empties the set, so the seller's
/// admissions are appended to the same script (one transaction: no paid buyer is ever out of the set).
/// </remarks>
internal static class NftablesRuleset
{
    public const string PaidSet = "paid";

    /// <summary>The buyers (also in <see cref="PaidSet"/>, with the same timeout) who paid for an exit.</summary>
    public const string ExitSet = "exit";

    public static string TableName(string interfaceName) => "impvpn_" + interfaceName;

    /// <param name="egress">The egress interface's own networks and gateways, read when the rules are applied
    /// (an exit only): the networks are refused like the defaults, the gateways on them stay reachable.</param>
    /// <param name="record">What the seller changed on its host, kept as the table's comment (<see cref="HostChanges"/>).</param>
    public static string Apply(SellerFirewallRules rules, EgressNetworks? egress = null, HostChanges? record = null)
    {
        var table = TableName(rules.InterfaceName);
        var name = Quoted(rules.InterfaceName);
        var family = rules.IsIPv6 ? "ip6" : "ip";
        var echo = rules.IsIPv6 ? "icmpv6 type echo-request" : "icmp type echo-request";
        var address = rules.SellerTunnelAddress.ToString();
        var script = new StringBuilder();
        script.Append(Replace(table));
        script.Append(CultureInfo.InvariantCulture, $"table inet {table} {{\n");
        if (record is { Any: true })
        {
            script.Append(CultureInfo.InvariantCulture, $"\tcomment \"{record.Comment()}\"\n");
        }

        script.Append(CultureInfo.InvariantCulture, $"\tset {PaidSet} {{\n\t\ttype {(rules.IsIPv6 ? "ipv6_addr" : "ipv4_addr")}\n\t\tflags timeout\n\t}}\n");
        script.Append(NftablesPortForward.Declarations(rules));
        if (rules.Exit is not null)
        {
            script.Append(CultureInfo.InvariantCulture, $"\tset {ExitSet} {{\n\t\ttype {(rules.IsIPv6 ? "ipv6_addr" : "ipv4_addr")}\n\t\tflags timeout\n\t}}\n");
        }

        // Input: what a buyer may reach on this host. Replies to what the host started are let through, so the
        // seller's own node may still connect out to a buyer's.
        script.Append("\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\tiifname {name} jump from_buyers\n\t}}\n");
        script.Append(CultureInfo.InvariantCulture, $"\tchain from_buyers {{\n\t\t{family} saddr != @{PaidSet} drop\n\t\tct state established,related accept\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\t{family} daddr {address} {echo} accept\n");
        if (rules.Exit is { ResolverOnTunnelAddress: true })
        {
            // The seller hands its own tunnel address out as the exit's resolver and runs one there. It is part of
            // the exit: only buyers who paid for one (@exit) may use it, not every admitted buyer (@paid).
            script.Append(CultureInfo.InvariantCulture, $"\t\t{family} saddr @{ExitSet} {family} daddr {address} udp dport 53 accept\n");
            script.Append(CultureInfo.InvariantCulture, $"\t\t{family} saddr @{ExitSet} {family} daddr {address} tcp dport 53 accept\n");
        }
        if (rules.AllowedTcpPorts.Count > 0)
        {
            var ports = string.Join(", ", rules.AllowedTcpPorts.Select(p => p.ToString(CultureInfo.InvariantCulture)));
            script.Append(CultureInfo.InvariantCulture, $"\t\t{family} daddr {address} tcp dport {{ {ports} }} accept\n");
        }

        script.Append("\t\tdrop\n\t}\n");

        // Forward: an offer is node to node. A buyer's packets go nowhere beyond this host (another buyer only
        // where the seller allows it), and nothing beyond it starts a connection to a buyer.
        script.Append("\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\tiifname {name} {family} saddr != @{PaidSet} drop\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\toifname {name} {family} daddr != @{PaidSet} drop\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\tiifname {name} oifname {name} {(rules.AllowBuyerToBuyer ? "accept" : "drop")}\n");
        script.Append(NftablesPortForward.ForwardRules(rules, name, family, PaidSet));
        if (rules.Exit is { } exit)
        {
            // An exit: out of the egress interface only, to no network of the seller's, and only in the tunnel's
            // family (the saddr match also keeps the other family's packets, which @exit cannot vouch for, out), and only for
            // buyers who paid for an exit (@exit; a node-to-node buyer is in @paid only).
            var egressName = Quoted(exit.EgressInterfaceName);
            var tunnelFamily = rules.SellerTunnelAddress.AddressFamily;
            var onLink = egress?.OnLink ?? [];
            var refused = string.Join(", ", exit.RefusedFor(tunnelFamily, onLink));
            var gateways = Gateways(exit, tunnelFamily, egress);
            if (gateways.Count > 0)
            {
                // The egress interface's own networks are refused below (the provider's LAN, the seller's /64 on its
                // uplink), but the gateway on them is the route out: it stays reachable, as from anywhere.
                script.Append(CultureInfo.InvariantCulture, $"\t\tiifname {name} oifname {egressName} {family} daddr {{ {string.Join(", ", gateways)} }} {family} saddr @{ExitSet} accept\n");
            }

            script.Append(CultureInfo.InvariantCulture, $"\t\tiifname {name} oifname {egressName} {family} daddr {{ {refused} }} drop\n");
            script.Append(CultureInfo.InvariantCulture, $"\t\tiifname {name} oifname {egressName} {family} saddr @{ExitSet} accept\n");
        }

        script.Append(CultureInfo.InvariantCulture, $"\t\tiifname {name} drop\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\toifname {name} ct state established,related accept\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\toifname {name} drop\n\t}}\n");
        // Output: nothing from this host reaches a buyer whose time is up, not even on a connection it started.
        script.Append("\tchain output {\n\t\ttype filter hook output priority filter; policy accept;\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\toifname {name} {family} daddr != @{PaidSet} drop\n\t}}\n");
        if (rules.Exit is { } exitNat && !(rules.IsIPv6 && exitNat.IPv6 == IPv6Exit.Routed))
        {
            // Buyers' tunnel addresses mean nothing beyond the seller: they leave as the egress interface's address,
            // and replies find their way back through conntrack (accepted above as established).
            script.Append("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
            script.Append(CultureInfo.InvariantCulture, $"\t\toifname {Quoted(exitNat.EgressInterfaceName)} {family} saddr @{ExitSet} masquerade\n\t}}\n");
        }

        script.Append(NftablesPortForward.NatChains(rules, name, family));
        script.Append("}\n");
        return script.ToString();
    }

    /// <summary>The gateways of the egress routes that lie on the egress interface's own networks (which are refused)
    /// and in no range refused otherwise: a gateway in a private range stays as refused as the range.</summary>
    public static IReadOnlyList<IPAddress> Gateways(SellerExitRules exit, System.Net.Sockets.AddressFamily family, EgressNetworks? egress)
    {
        if (egress is null)
        {
            return [];
        }

        var otherwise = exit.RefusedFor(family);
        return [.. egress.Gateways
            .Where(g => g.AddressFamily == family && (family != System.Net.Sockets.AddressFamily.InterNetworkV6 || g.ScopeId == 0))
            .Where(g => egress.OnLink.Any(p => SellerExitRules.Contains(p, Host(g))) && !otherwise.Any(p => SellerExitRules.Contains(p, Host(g))))
            .Distinct()];
    }

    private static IpPrefix Host(IPAddress address) =>
        new(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);

    public static string Remove(string interfaceName) => Replace(TableName(interfaceName));

    /// <summary>Adds each address with its timeout, replacing an element already there: nft's "add" leaves an
    /// existing element's timeout as it was, so the script declares the element, deletes it and adds it anew, in one
    /// transaction (an address is never out of the set in between).</summary>
    public static string Admit(string interfaceName, IEnumerable<BuyerAdmission> admissions)
    {
        var script = new StringBuilder();
        foreach (var admission in admissions)
        {
            var (set, address) = Element(interfaceName, admission.BuyerTunnelAddress);
            // Whole seconds, rounded up: an admission never ends before the time paid for, and nft refuses a zero timeout.
            var seconds = Math.Max(1, (long)Math.Ceiling(admission.PaidFor.TotalSeconds));
            script.Append(CultureInfo.InvariantCulture, $"add element {set} {{ {address} }}\ndelete element {set} {{ {address} }}\nadd element {set} {{ {address} timeout {seconds}s }}\n");
            script.Append(NftablesPortForward.Admit(TableName(interfaceName), admission, address, seconds));
            // The exit set, declared first (a table that is no exit has none; "add set" leaves one that is there as
            // it is), and emptied of this address: a node-to-node buyer given an address an exit buyer had never
            // inherits the exit.
            script.Append(ExitElement(interfaceName, admission.BuyerTunnelAddress));
            if (admission.Exit)
            {
                script.Append(CultureInfo.InvariantCulture, $"add element {ExitSetOf(interfaceName)} {{ {address} timeout {seconds}s }}\n");
            }
        }

        return script.ToString();
    }

    /// <summary>Deletes the address from the set, declaring it first so the script works when it is not there, and
    /// the contract's forwarded port, if any, from the forwards map (<see cref="NftablesPortForward.Revoke"/>).</summary>
    public static string Revoke(string interfaceName, IPAddress buyerTunnelAddress, int? forwardedPort = null)
    {
        var (set, address) = Element(interfaceName, buyerTunnelAddress);
        return $"add element {set} {{ {address} }}\ndelete element {set} {{ {address} }}\n"
            + NftablesPortForward.Revoke(TableName(SellerFirewallRules.ValidInterfaceName(interfaceName)), buyerTunnelAddress, address, forwardedPort)
            + ExitElement(interfaceName, buyerTunnelAddress);
    }

    /// <summary>Declares the exit set and the address in it, then deletes the address: afterwards it is not there.</summary>
    private static string ExitElement(string interfaceName, IPAddress buyerTunnelAddress)
    {
        var (_, address) = Element(interfaceName, buyerTunnelAddress);
        var type = buyerTunnelAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6_addr" : "ipv4_addr";
        var set = ExitSetOf(interfaceName);
        return $"add set {set} {{ type {type}; flags timeout; }}\nadd element {set} {{ {address} }}\ndelete element {set} {{ {address} }}\n";
    }

    private static string ExitSetOf(string interfaceName) => "inet " + TableName(SellerFirewallRules.ValidInterfaceName(interfaceName)) + " " + ExitSet;

    private static (string Set, string Address) Element(string interfaceName, IPAddress buyerTunnelAddress)
    {
        var table = TableName(SellerFirewallRules.ValidInterfaceName(interfaceName));
        return ("inet " + table + " " + PaidSet, SellerFirewallRules.ValidBuyerAddress(buyerTunnelAddress));
    }

    private static string Replace(string table) => $"table inet {table}\ndelete table inet {table}\n";

    // The name's grammar (SellerFirewallRules) has no quote, backslash or '*', so quoting is all it needs.
    private static string Quoted(string interfaceName) => "\"" + interfaceName + "\"";
}

/// <summary>An egress interface as the kernel reports it when an exit's rules are applied: its own networks (the
/// prefixes of its global addresses) and the gateways its routes go through.</summary>
internal sealed record EgressNetworks(IReadOnlyList<IpPrefix> OnLink, IReadOnlyList<IPAddress> Gateways);
