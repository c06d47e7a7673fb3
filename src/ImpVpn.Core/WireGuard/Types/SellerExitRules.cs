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
    /// <summary>RFC 1918, shared address space (RFC 6598), "this network", loopback, link-local, multicast and
    /// reserved: none is the internet, and most are what a seller's LAN or provider network uses.</summary>
    public static readonly IReadOnlyList<IpPrefix> DefaultRefusedIPv4 =
        [.. new[] { "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4" }.Select(IpPrefix.Parse)];

    /// <summary>Unspecified and loopback, IPv4-mapped, unique-local (ULA), link-local and multicast.</summary>
    public static readonly IReadOnlyList<IpPrefix> DefaultRefusedIPv6 =
        [.. new[] { "::/127", "::ffff:0:0/96", "fc00::/7", "fe80::/10", "ff00::/8" }.Select(IpPrefix.Parse)];

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

    /// <summary>The defaults of the family, then <see cref="RefusedDestinations"/> of that family.</summary>
    public IReadOnlyList<IpPrefix> RefusedFor(AddressFamily family) =>
        [.. (family == AddressFamily.InterNetworkV6 ? DefaultRefusedIPv6 : DefaultRefusedIPv4)
            .Concat(RefusedDestinations.Where(p => p.Address.AddressFamily == family)).Distinct()];

    private static IpPrefix ValidPrefix(IpPrefix prefix)
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
