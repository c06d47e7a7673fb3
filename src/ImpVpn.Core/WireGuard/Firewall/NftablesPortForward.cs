using System.Globalization;
using System.Text;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Firewall;

/// <summary>
/// The port-forward part of a seller's table (<see cref="SellerPortForwardRules"/>), rendered into
/// <see cref="NftablesRuleset"/>'s script. The map <c>forwards</c> says which buyer tunnel address each public port
/// leads to; its elements carry the admission's timeout, so a port stops forwarding by itself when its buyer's paid
/// time ends, like the buyer's element in <c>paid</c> (which the forward filter checks as well: fail closed twice).
/// </summary>
/// <remarks>
/// DNAT happens in prerouting for connections arriving on any interface but the WireGuard one and addressed to this
/// host (<c>fib daddr type local</c>: the public address may be this host's own, or a router's that forwards the range
/// here), and in output for connections this host makes to itself, so the seller's connect-back takes the same rule a
/// stranger's connection takes. Only the destination changes: the buyer sees each connection's real source address,
/// and its replies come back through the tunnel (its policy route) and conntrack.
/// </remarks>
internal static class NftablesPortForward
{
    public const string Map = "forwards";

    /// <summary>The map's declaration, inside the table.</summary>
    public static string Declarations(SellerFirewallRules rules) => rules.PortForward is null
        ? string.Empty
        : $"\tmap {Map} {{\n\t\ttype inet_service : {(rules.IsIPv6 ? "ipv6_addr" : "ipv4_addr")}\n\t\tflags timeout\n\t}}\n";

    /// <summary>The forward chain's rules, after the checks against <c>paid</c>: a forwarded connection to an admitted
    /// buyer on the target port only, and the buyer's replies to it.</summary>
    public static string ForwardRules(SellerFirewallRules rules, string quotedName, string family, string paidSet)
    {
        if (rules.PortForward is not { } forward)
        {
            return string.Empty;
        }

        var script = new StringBuilder();
        script.Append(CultureInfo.InvariantCulture, $"\t\toifname {quotedName} ct direction original ct status dnat {family} daddr @{paidSet} tcp dport {forward.TargetPort} accept\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\tiifname {quotedName} ct direction reply ct status dnat {family} saddr @{paidSet} accept\n");
        return script.ToString();
    }

    /// <summary>The nat chains: prerouting (not from the tunnel) and output (this host's own connections).</summary>
    public static string NatChains(SellerFirewallRules rules, string quotedName, string family)
    {
        if (rules.PortForward is not { } forward)
        {
            return string.Empty;
        }

        var dnat = $"fib daddr type local dnat {family} to tcp dport map @{Map} : {forward.TargetPort.ToString(CultureInfo.InvariantCulture)}";
        var script = new StringBuilder();
        script.Append("\tchain portforward_prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\tiifname != {quotedName} {dnat}\n\t}}\n");
        // nft 1.0.6 names "dstnat" only for prerouting: -100 is its value.
        script.Append("\tchain portforward_output {\n\t\ttype nat hook output priority -100; policy accept;\n");
        script.Append(CultureInfo.InvariantCulture, $"\t\t{dnat}\n\t}}\n");
        return script.ToString();
    }

    /// <summary>The admission's map element, replacing one already there (as <see cref="NftablesRuleset.Admit"/> does
    /// for <c>paid</c>), with the same timeout; nothing for a buyer without a forwarded port.</summary>
    public static string Admit(string table, BuyerAdmission admission, string address, long seconds)
    {
        if (admission.ForwardedPort is not { } port)
        {
            return string.Empty;
        }

        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(admission), port, $"{port} is not a TCP port (1-65535).");
        }

        var map = $"inet {table} {Map}";
        return string.Create(CultureInfo.InvariantCulture,
            $"add element {map} {{ {port} : {address} }}\ndelete element {map} {{ {port} }}\nadd element {map} {{ {port} timeout {seconds}s : {address} }}\n");
    }

    /// <summary>Deletes a revoked contract's port from the map: its address goes back to the pool, and an element left
    /// until its timeout would forward the port to the address's next buyer. The map is declared first ("add map" leaves
    /// one that is there as it is; a table without port forwarding has none), then the element, so the script works
    /// when either is missing. Nothing for a contract without a forwarded port.</summary>
    public static string Revoke(string table, System.Net.IPAddress buyerTunnelAddress, string address, int? forwardedPort)
    {
        if (forwardedPort is not { } port)
        {
            return string.Empty;
        }

        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(forwardedPort), port, $"{port} is not a TCP port (1-65535).");
        }

        var map = $"inet {table} {Map}";
        var type = buyerTunnelAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6_addr" : "ipv4_addr";
        return string.Create(CultureInfo.InvariantCulture,
            $"add map {map} {{ type inet_service : {type}; flags timeout; }}\nadd element {map} {{ {port} : {address} }}\ndelete element {map} {{ {port} }}\n");
    }
}
