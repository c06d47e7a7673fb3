using System.Net;
using System.Net.Sockets;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Whether a seller can deliver the exits it is configured to sell, checked before it starts: an egress interface
/// named (and, when the firewall is applied, existing), ImpVpn's own firewall (the exit's rules are what keep buyers
/// off the seller's networks), a real interface (not config-only), and resolvers to hand out, each an IP address of
/// the pool's family. A seller that does not sell exits is not checked here.
/// </summary>
public static class SellerExitCheck
{
    /// <summary>The most resolvers a buyer takes from an activate answer (<c>SellerAnswerCheck</c>).</summary>
    public const int MaxResolvers = 3;

    /// <exception cref="SellerExitException">The seller sells exits it cannot deliver.</exception>
    public static void Check(SellerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.SellsExit)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(options.EgressInterface))
        {
            throw new SellerExitException(nameof(SellerOptions.EgressInterface), "This seller sells exit tunnels but names no egress interface: name the interface buyers' traffic leaves by to the internet (eth0, say).");
        }

        try
        {
            _ = new SellerFirewallRules(options.InterfaceName, IPAddress.Parse(options.Subnet.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "fd00::1" : "10.0.0.1"), [], false)
            {
                Exit = new SellerExitRules(options.EgressInterface, []),
            };
        }
        catch (ArgumentException e)
        {
            throw new SellerExitException(nameof(SellerOptions.EgressInterface), $"The exit's egress interface '{options.EgressInterface}' cannot be used: {e.Message}", e);
        }

        try
        {
            _ = new SellerExitRules(options.EgressInterface, options.RefusedDestinations);
        }
        catch (ArgumentException e)
        {
            throw new SellerExitException(nameof(SellerOptions.RefusedDestinations), $"A refused destination cannot be used: {e.Message}", e);
        }

        if (options.ConfigOnly)
        {
            throw new SellerExitException(nameof(SellerOptions.ConfigOnly), "A config-only seller cannot sell exit tunnels: the exit is forwarding and NAT on this host's own interface and firewall.");
        }

        if (!options.ManageFirewall)
        {
            throw new SellerExitException(nameof(SellerOptions.ManageFirewall), "A seller that does not manage its firewall cannot sell exit tunnels: ImpVpn's rules are what keep exit buyers off the seller's own networks and host.");
        }

        if (options.Resolvers.Count == 0)
        {
            throw new SellerExitException(nameof(SellerOptions.Resolvers), "This seller sells exit tunnels but names no resolver: a buyer whose traffic all goes through the exit needs a DNS resolver it reaches through it (the seller's tunnel address when a resolver runs there, or a public one).");
        }

        if (options.Resolvers.Count > MaxResolvers)
        {
            throw new SellerExitException(nameof(SellerOptions.Resolvers), $"This seller names {options.Resolvers.Count} resolvers; buyers use at most {MaxResolvers} and refuse a tunnel that names more.");
        }

        var family = options.Subnet.Address.AddressFamily;
        foreach (var resolver in options.Resolvers)
        {
            if (!IsResolverOf(resolver, family))
            {
                throw new SellerExitException(nameof(SellerOptions.Resolvers), $"'{resolver}' cannot be an exit's resolver: give an IP address (no name, no port) of the pool's family ({TunnelOfferVocabulary.WireName(options.SoldAddressFamilies[0])}), reachable through the exit or the seller's tunnel address.");
            }
        }
    }

    /// <summary>Whether <paramref name="resolver"/> is a plain unicast IP address of <paramref name="family"/>.</summary>
    public static bool IsResolverOf(string? resolver, AddressFamily family) =>
        resolver is not null && IPAddress.TryParse(resolver, out var address) && !resolver.Contains('%') && !resolver.Contains('[')
        && (address.AddressFamily != AddressFamily.InterNetwork || resolver.Count(c => c == '.') == 3)
        && address.AddressFamily == family && (family != AddressFamily.InterNetworkV6 || address.ScopeId == 0) && !IPAddress.IsLoopback(address)
        && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.IsIPv6Multicast && !address.IsIPv4MappedToIPv6
        && !(family == AddressFamily.InterNetwork && address.GetAddressBytes()[0] >= 224);

    /// <summary>The exit's firewall rules for a seller that sells exits, or has exit contracts still live (null
    /// otherwise).</summary>
    /// <param name="exitsLive">Whether contracts sold as exits are still live: their buyers paid for an exit, so a
    /// seller started again without selling exits keeps serving them out of its egress interface.</param>
    /// <exception cref="SellerExitException">Exit contracts are live and no egress interface is named.</exception>
    internal static SellerExitRules? Rules(SellerOptions options, IPAddress sellerTunnelAddress, bool exitsLive = false)
    {
        if (!options.SellsExit && !exitsLive)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(options.EgressInterface))
        {
            // A seller selling exits without one was refused by Check; one that no longer sells them would cut off
            // buyers who paid for an exit, without a word: it refuses to start instead.
            return options.SellsExit
                ? null
                : throw new SellerExitException(nameof(SellerOptions.EgressInterface), $"This seller no longer sells exit tunnels, but exit contracts it sold are still live: name the egress interface they leave by ({nameof(SellerOptions.EgressInterface)}, eth0, say) until they end, or those paid buyers would be cut off.");
        }

        return new SellerExitRules(options.EgressInterface, options.RefusedDestinations)
        {
            IPv6 = options.IPv6Exit,
            ResolverOnTunnelAddress = options.Resolvers.Any(r => IPAddress.TryParse(r, out var a) && a.Equals(sellerTunnelAddress)),
        };
    }
}
