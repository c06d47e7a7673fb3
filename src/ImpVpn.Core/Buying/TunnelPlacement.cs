using System.Net;
using System.Net.Sockets;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>
/// Where a seller puts the tunnel in this machine's network. Both tunnel addresses are private-use addresses
/// (10/8, 172.16/12, 192.168/16, 100.64/10; fc00::/7) within one /16 (IPv4) or /64 (IPv6), since a seller's tunnel
/// network is one private range (a /16 serves 65,533 buyers; the seller refuses a wider pool, <c>AddressPool</c>).
/// The buyer's interface takes its address as a /32 (/128) and routes only what the tunnel grants, so the range is a
/// sanity bound on the seller's answer, not a route; and neither the buyer's address nor what the tunnel routes may fall into a
/// route this machine already has, or the tunnel would take traffic meant for the LAN, a container network or
/// another VPN. A route covering half the address space or more (a default route, or the two /1 halves VPN clients
/// put in its place) covers every address and is not counted; nor are the routes of the tunnel's own interface (it
/// may be up already when its configuration is fetched again).
/// </summary>
public static class TunnelPlacement
{
    public const int IPv4RangeLength = 16;
    public const int IPv6RangeLength = 64;

    private static readonly IpPrefix[] PrivateUse =
    [
        IpPrefix.Parse("10.0.0.0/8"), IpPrefix.Parse("172.16.0.0/12"), IpPrefix.Parse("192.168.0.0/16"),
        IpPrefix.Parse("100.64.0.0/10"), IpPrefix.Parse("fc00::/7"),
    ];

    /// <summary>Why this machine cannot take <paramref name="buyer"/> as its tunnel address; null when it can.</summary>
    /// <param name="ownInterface">the tunnel's own interface, whose routes do not count; null before it exists.</param>
    public static string? BuyerAddressProblem(IPAddress buyer, ILocalNetwork network, string? ownInterface)
    {
        if (!IsPrivateUse(buyer))
        {
            return $"the address it assigns you, {buyer}, is not a private-use address";
        }

        return Colliding(Host(buyer), network, ownInterface) is { } route
            ? $"the address it assigns you, {buyer}, lies in this machine's route {route.Destination} via {route.Device}"
            : null;
    }

    /// <summary>Why the seller's tunnel address cannot sit beside the buyer's on this machine; null when it can.</summary>
    public static string? SellerAddressProblem(IPAddress seller, IPAddress buyer, ILocalNetwork network, string? ownInterface)
    {
        if (!IsPrivateUse(seller))
        {
            return $"its tunnel address {seller} is not a private-use address";
        }

        var range = seller.AddressFamily == AddressFamily.InterNetworkV6 ? IPv6RangeLength : IPv4RangeLength;
        if (!Overlaps(new IpPrefix(seller, range), new IpPrefix(buyer, range)))
        {
            return $"its tunnel address {seller} and yours ({buyer}) are not in one /{range}";
        }

        if (network.Addresses().Contains(seller))
        {
            return $"its tunnel address {seller} is one of this machine's addresses";
        }

        return Colliding(Host(seller), network, ownInterface) is { } route
            ? $"its tunnel address {seller} lies in this machine's route {route.Destination} via {route.Device}"
            : null;
    }

    /// <summary>Whether two prefixes share any address (one contains the other).</summary>
    public static bool Overlaps(IpPrefix a, IpPrefix b)
    {
        if (a.Address.AddressFamily != b.Address.AddressFamily)
        {
            return false;
        }

        var shorter = Math.Min(a.PrefixLength, b.PrefixLength);
        return new IpPrefix(a.Address, shorter).Network() == new IpPrefix(b.Address, shorter).Network();
    }

    private static LocalRoute? Colliding(IpPrefix prefix, ILocalNetwork network, string? ownInterface) =>
        network.Routes().FirstOrDefault(r => r.Destination.PrefixLength > 1 && r.Device != ownInterface && Overlaps(r.Destination, prefix));

    private static bool IsPrivateUse(IPAddress address) => PrivateUse.Any(p => Overlaps(p, Host(address)));

    private static IpPrefix Host(IPAddress address) => new(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
}
