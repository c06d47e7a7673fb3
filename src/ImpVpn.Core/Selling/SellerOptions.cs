using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>How a seller runs: what it charges, which addresses it hands out, where buyers reach its WireGuard.</summary>
public sealed record SellerOptions
{
    public required string InterfaceName { get; init; }

    /// <summary>ip:port or host:port buyers send WireGuard packets to (see <see cref="ValidEndpoint"/>).</summary>
    public required string Endpoint { get; init; }

    /// <summary>The endpoint as buyers will use it: an IP address and port (IPv6 in brackets), or a DNS host name
    /// (RFC 1123, as <see cref="SellerEndpointText"/> reads it; dynamic DNS) and port, which each buyer resolves when its
    /// tunnel is activated. Checked before the seller starts, since every buyer would otherwise pay for a tunnel it
    /// cannot reach: an address buyers refuse (loopback, link-local, multicast, unspecified) or a name that always
    /// means this machine (localhost) is refused here too. A name is not resolved here: it is what buyers resolve.</summary>
    public static string ValidEndpoint(string endpoint)
    {
        if (SellerEndpointText.TryParseHostName(endpoint, out var host, out var port))
        {
            return host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal)
                ? throw new ArgumentException($"'{endpoint}' is not an endpoint buyers can use: localhost names always mean the buyer's own machine. Give the public IP address and port (or DNS name and port), e.g. 203.0.113.5:51820 or vpn.example.net:51820.")
                : $"{host}:{port}";
        }

        if (SellerEndpointText.TryParseLiteral(endpoint, out var parsed) && parsed.Port != 0)
        {
            return SellerEndpointText.IsUnicastOffMachine(parsed.Address)
                ? parsed.ToString()
                : throw new ArgumentException($"'{endpoint}' is not an endpoint buyers can use: it is a loopback, link-local, multicast or unspecified address, which buyers refuse. Give the public IP address and port (or DNS name and port), e.g. 203.0.113.5:51820 or vpn.example.net:51820.");
        }

        throw new ArgumentException($"'{endpoint}' is not an endpoint buyers can use: give the public IP address and port (or DNS name and port), e.g. 203.0.113.5:51820 or vpn.example.net:51820.");
    }

    public int ListenPort { get; init; } = 51820;

    public IpPrefix Subnet { get; init; } = IpPrefix.Parse("10.77.0.0/24");

    public Pricing Pricing { get; init; } = Pricing.Default;

    public TimeSpan QuoteLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Quotes per peer per minute before the seller answers "rate limited".</summary>
    public int QuotesPerPeerPerMinute { get; init; } = 30;

    /// <summary>Contracts accepted but not yet paid, at most.</summary>
    public int MaxOpenContracts { get; init; } = 100;

    public int MaxActiveContracts { get; init; } = 1000;

    /// <summary>How long a buyer that made the preimage (protocol version 2) has, after activation, to check its tunnel
    /// and claim. Past it the hold invoice is cancelled (the buyer refunded) and the peer removed, so a buyer that
    /// never pays holds a lease and a peer for this long at most.</summary>
    public TimeSpan ClaimWindow { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long an activate waits for the buyer's payment to be held when it is not yet (the buyer's node
    /// reports a payment in flight as soon as its first part leaves; over several hops and up to 16 parts the hold
    /// invoice turns ACCEPTED only when the last arrives). The wait does not hold the contracts' lock. Past it the
    /// buyer is told "not yet" (1012) and asks again. Kept well under a buyer's reply timeout (30 s).</summary>
    /// <remarks>Why 12 s: a buyer without an answer sends the same request (same id) again 0.5, 1.5, 3.5, 7.5 and
    /// 15.5 s after the first (PeerRpcEndpoint's pauses, doubling from 0.5 s), until an answer comes. A repeat that
    /// arrives while the wait runs is ignored, but one that arrives after the "not yet" was sent is run again ("not
    /// yet" is never remembered). At 15 s the answer crossed the 15.5 s repeat whenever it took more than half a
    /// second to arrive, and the repeat started a second wait for an answer nobody read; at 12 s the answer falls
    /// between the 7.5 s and 15.5 s repeats, 3.5 s clear of each.</remarks>
    public TimeSpan PaymentArrivalWait { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>Contracts one peer may hold accepted but unpaid; a further accept is refused (capacity, 1006) until
    /// one is paid or lapses. With this share a handful of peers cannot hold the seller's open slots or its pool.</summary>
    public int MaxUnpaidPerPeer { get; init; } = 2;

    /// <summary>Refresh invoices one contract may have issued per hour; beyond it refresh is "rate limited" (1005).
    /// Each is an invoice on the seller's node, so a cheap contract cannot be used to flood it.</summary>
    public int RefreshInvoicesPerContractPerHour { get; init; } = 6;

    /// <summary>Per-peer request rate and the bounds of what the peer endpoint remembers.</summary>
    public Protocol.PeerRpcLimits PeerLimits { get; init; } = Protocol.PeerRpcLimits.Default;

    /// <summary>How often expiry is checked.</summary>
    public TimeSpan ExpiryCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the seller sets its feature bit in its node's announcement again while it runs: LND forgets
    /// a bit set through peersrpc when it restarts (<see cref="SellerAdvertisement"/>).</summary>
    public TimeSpan AdvertisementRefreshInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long setting the feature bit may take before the seller goes on without it (a warning); shorter
    /// only in tests.</summary>
    internal TimeSpan AdvertisementTimeout { get; init; } = SellerAdvertisement.DefaultTimeout;

    /// <summary>Issue invoices and keep contracts but touch no interface (for hosts where WireGuard is set up elsewhere).</summary>
    public bool ConfigOnly { get; init; }

    /// <summary>TCP ports buyers may reach on the seller's tunnel address; by default the Lightning p2p port. Every
    /// other port, and every other address of the host, is closed to them (see <see cref="BuyerReach"/>).</summary>
    public IReadOnlyList<int> AllowedPorts { get; init; } = [9735];

    /// <summary>Whether buyers may reach one another through the seller.</summary>
    public bool AllowBuyerToBuyer { get; init; }

    /// <summary>Whether the seller closes its interface with its own firewall (and refuses to start where it cannot).
    /// False leaves the interface unfiltered by ImpVpn: for hosts guarded by a firewall of their own.</summary>
    public bool ManageFirewall { get; init; } = true;

    /// <summary>The address family of the tunnels sold, as the protocol names it: that of <see cref="Subnet"/>.</summary>
    public string AddressFamily => TunnelOfferVocabulary.WireName(SoldAddressFamilies[0]);

    /// <summary>The modes this seller quotes (node-to-node by default). A seller must not sell a tunnel it cannot
    /// deliver: exit needs <see cref="Resolvers"/> and the exit's egress (checked where the seller starts).</summary>
    public IReadOnlyList<TunnelMode> SoldModes { get; init; } = [TunnelMode.NodeToNode];

    /// <summary>Exit tunnels: the resolver addresses handed to buyers in activate (the seller's tunnel address when it
    /// runs a resolver there, or public resolvers reached through the tunnel).</summary>
    public IReadOnlyList<string> Resolvers { get; init; } = [];

    /// <summary>Port-forward tunnels: the public address and port range forwarded to buyers' Lightning p2p port;
    /// required when <see cref="SoldModes"/> has port-forward (<see cref="PortForwardStartCheck"/>).</summary>
    public PortForwardOptions? PortForward { get; init; }

    /// <summary>Exit tunnels: the interface buyers' packets leave by to the internet (eth0, say). Required when
    /// <see cref="SoldModes"/> holds exit (<see cref="SellerExitCheck"/>); the interface must exist when the seller
    /// starts.</summary>
    public string? EgressInterface { get; init; }

    /// <summary>Exit tunnels: the seller's own networks buyers must not reach through the exit, beyond the private and
    /// reserved ranges (always refused) and the egress interface's own networks (read when the seller starts).</summary>
    public IReadOnlyList<IpPrefix> RefusedDestinations { get; init; } = [];

    /// <summary>Exit tunnels of an IPv6 pool: translated to the egress address (NAT66, the default), or routed (the
    /// pool is a prefix routed to this host: each buyer leaves with its own address).</summary>
    public IPv6Exit IPv6Exit { get; init; } = IPv6Exit.Masquerade;

    /// <summary>Whether <see cref="SoldModes"/> holds exit.</summary>
    public bool SellsExit => SoldModes.Contains(TunnelMode.Exit);

    /// <summary>The address families this seller quotes: the one of its <see cref="Subnet"/>, since every buyer's
    /// address comes from it (dual needs a second pool, which no seller has yet).</summary>
    public IReadOnlyList<TunnelAddressFamily> SoldAddressFamilies =>
        [Subnet.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? TunnelAddressFamily.IPv6 : TunnelAddressFamily.IPv4];

    /// <summary>A short label of where the seller is (e.g. "eu-west", "Frankfurt 2"), given in its offer; null for
    /// none. Letters, digits, '-' and space, at most <see cref="OfferRegion.MaxLength"/> characters (<see cref="ValidRegion"/>).</summary>
    public string? Region { get; init; }

    /// <summary>The region label itself when it is one a buyer would accept (null or empty for none); otherwise an
    /// <see cref="ArgumentException"/> before the seller starts with it.</summary>
    public static string? ValidRegion(string? region) =>
        string.IsNullOrEmpty(region) ? null
        : OfferRegion.IsValid(region) ? region
        : throw new ArgumentException($"A region is at most {OfferRegion.MaxLength} letters, digits, '-' and spaces, not starting or ending with a space (e.g. eu-west or Frankfurt 2).");
}
