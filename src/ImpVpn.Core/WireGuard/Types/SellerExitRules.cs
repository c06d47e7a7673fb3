using System.Net.Sockets;

namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// A seller that is an exit: admitted buyers' packets may leave through <see cref="EgressInterfaceName"/> to the
/// internet, source-translated (masquerade) to the egress interface's address, and to nothing else. Destinations a
/// seller's own networks usually use are refused whatever the routes say, so an exit never lets a buyer into the
/// LAN behind the seller's router: the private, shared, link-local, loopback and multicast ranges of the family
/// (<see cref="DefaultRefusedIPv4"/>, <see cref="DefaultRefusedIPv6"/>), and every prefix in
/// <see cref="RefusedDestinations"/> (the seller's public or otherwise routable networks).
/// </summary>
public sealed record SellerExitRules
{
    /// <summary>RFC 1918, shared address space (RFC 6598), "this network", loopback, link-local, IETF protocol
    /// assignments (192.0.0.0/24), benchmarking (198.18.0.0/15), multicast and reserved: none is the internet, and
    /// most are what a seller's LAN or provider network uses. The documentation ranges 192.0.2.0/24, 198.51.100.0/24
    /// and 203.0.113.0/24 are not refused (the tests' stand-in internet lives there).</summary>
    public static readonly IReadOnlyList<IpPrefix> DefaultRefusedIPv4 =
        [.. new[] { "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4" }.Select(IpPrefix.Parse)];

    /// <summary>Unspecified and loopback, IPv4-mapped, the NAT64 prefixes (64:ff9b::/96, 64:ff9b:1::/48: a seller's
    /// NAT64 would carry buyers into its IPv4 networks), discard-only (100::/64), Teredo (2001::/32) and 6to4
    /// (2002::/16) relays, unique-local (ULA), link-local and multicast. 2001:db8::/32 (documentation) is not refused.</summary>
    public static readonly IReadOnlyList<IpPrefix> DefaultRefusedIPv6 =
        [.. new[] { "::/127", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2002::/16", "fc00::/7", "fe80::/10", "ff00::/8" }.Select(IpPrefix.Parse)];

    public SellerExitRules(string egressInterfaceName, IReadOnlyList<IpPrefix> refusedDestinations)
    {
        ArgumentNullException.ThrowIfNull(refusedDestinations);
        EgressInterfaceName = SellerFirewallRules.ValidInterfaceName(egressInterfaceName);
        RefusedDestinations = [.. refusedDestinations.Select(ValidPrefix).Distinct()];
    }

    /// <summary>The interface buyers' packets leave by (same grammar as the WireGuard interface's name).</summary>
    public string EgressInterfaceName { get; }

    /// <summary>The seller's own networks beyond the defaults, each as its network address (host bits cleared);
    /// only those of the seller's tunnel family take effect.</summary>
    public IReadOnlyList<IpPrefix> RefusedDestinations { get; }

    /// <summary>How buyers' IPv6 addresses leave: translated to the egress address (NAT66, the default), or as they
    /// are (the pool is a prefix routed to the seller). IPv4 is always masqueraded.</summary>
    public IPv6Exit IPv6 { get; init; } = IPv6Exit.Masquerade;

    /// <summary>Whether buyers may reach a DNS resolver on the seller's tunnel address (udp and tcp 53), for a seller
    /// that hands that address out as a resolver and runs one there.</summary>
    public bool ResolverOnTunnelAddress { get; init; }

    /// <summary>The defaults of the family, then <see cref="RefusedDestinations"/> of that family, then
    /// <paramref name="onLink"/> (the egress interface's own networks, read when the rules are applied), merged: a
    /// prefix inside another one listed is left out, since an nftables interval set refuses overlapping elements.</summary>
    public IReadOnlyList<IpPrefix> RefusedFor(AddressFamily family, IEnumerable<IpPrefix>? onLink = null) =>
        Merged((family == AddressFamily.InterNetworkV6 ? DefaultRefusedIPv6 : DefaultRefusedIPv4)
            .Concat(RefusedDestinations)
            .Concat((onLink ?? []).Select(ValidPrefix))
            .Where(p => p.Address.AddressFamily == family));

    /// <summary>Each prefix once, in the order given, leaving out every prefix that lies inside another one (prefixes
    /// either nest or are disjoint, so what is left has no overlap).</summary>
    public static IReadOnlyList<IpPrefix> Merged(IEnumerable<IpPrefix> prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        var all = prefixes.Select(p => p.Network()).Distinct().ToList();
        return [.. all.Where(p => !all.Any(other => other != p && Contains(other, p)))];
    }

    /// <summary>Whether <paramref name="inner"/> lies inside <paramref name="outer"/> (same family, no shorter).</summary>
    public static bool Contains(IpPrefix outer, IpPrefix inner)
    {
        if (outer.Address.AddressFamily != inner.Address.AddressFamily || inner.PrefixLength < outer.PrefixLength)
        {
            return false;
        }

        return new IpPrefix(inner.Address, outer.PrefixLength).Network().Address.Equals(outer.Network().Address);
    }

    internal static IpPrefix ValidPrefix(IpPrefix prefix)
    {
        // Rendered into a script run as root: only plain dotted or colon notation, never a scope ('%').
        var max = prefix.Address?.AddressFamily switch
        {
            AddressFamily.InterNetwork => 32,
            AddressFamily.InterNetworkV6 when prefix.Address.ScopeId == 0 => 128,
            _ => throw new ArgumentException($"'{prefix}' cannot be a refused destination in a firewall rule.", nameof(prefix)),
        };
        return prefix.PrefixLength is >= 0 && prefix.PrefixLength <= max
            ? prefix.Network()
            : throw new ArgumentException($"'{prefix}' cannot be a refused destination in a firewall rule.", nameof(prefix));
    }
}

/// <summary>How an exit's IPv6 buyers leave the seller (<see cref="SellerExitRules.IPv6"/>).</summary>
public enum IPv6Exit
{
    /// <summary>Source-translated to the egress interface's address (NAT66).</summary>
    Masquerade,

    /// <summary>Forwarded as they are: the seller's pool is a prefix routed to it, so each buyer keeps its address.</summary>
    Routed,
}
