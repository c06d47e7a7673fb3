using System.Net;
using System.Net.Sockets;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>
/// What a seller says about a tunnel, checked before it reaches this machine's interfaces, routes or files: the
/// address it gives the buyer (before anything is paid), then the tunnel it describes on activation. A seller is a
/// stranger: an address that is this machine's own, loopback or multicast, a route to anything but the seller's own
/// tunnel address, or an endpoint on loopback would turn a purchase into a change of the buyer's machine that nobody
/// asked for. The prefixes routed, the resolvers and the public port must be those of the contract's mode.
/// </summary>
public static class SellerAnswerCheck
{
    // An expiry this far past the time paid for is nonsense, not generosity (it would make the tunnel look paid for years).
    private static readonly TimeSpan ExpiryTolerance = TimeSpan.FromDays(1);

    // The buyer's and the seller's clocks may differ this much; an expiry short of the time paid by more is refused.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>The buyer's address inside the tunnel, as the seller's accept names it: checked before paying.</summary>
    /// <param name="network">this machine: the seller's choice must be none of its addresses and in none of its routes.</param>
    public static void RequireBuyerTunnelAddress(string text, ILocalNetwork network)
    {
        var address = TunnelAddress(text, "the address it assigns you", paid: false);
        if (network.Addresses().Contains(address))
        {
            throw Refused($"the address it assigns you, {address}, is already one of this machine's addresses", paid: false);
        }

        if (TunnelPlacement.BuyerAddressProblem(address, network, ownInterface: null) is { } problem)
        {
            throw Refused(problem, paid: false);
        }
    }

    /// <summary>The tunnel the seller's activate describes, for <paramref name="contract"/>: returned when every field
    /// is one this machine can use as it is, refused (<see cref="PurchaseException"/>) otherwise.</summary>
    /// <param name="network">this machine, whose addresses and routes the tunnel must not collide with.</param>
    /// <param name="paidUntil">when the time paid for ends: for a refresh, the old expiry (or now) plus the time it
    /// adds; by default the contract's recorded expiry, or now plus the time bought.</param>
    public static SellerTunnel RequireTunnel(ActivateResponse answer, BoughtContract contract, DateTimeOffset now, ILocalNetwork network, DateTimeOffset? paidUntil = null)
    {
        // The answer is the seller's JSON: a field it left out is null here, whatever the record's types say.
        var allowedIps = answer.AllowedIps ?? [];
        var expiresAt = answer.ExpiresAt is > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(answer.ExpiresAt) : DateTimeOffset.MinValue;
        if (!WireGuardPublicKey.TryParse(answer.SellerWireGuardKey, out _))
        {
            throw Refused("its WireGuard key is not a WireGuard public key", paid: true);
        }

        var endpoint = SellerEndpoint.Require(answer.Endpoint ?? string.Empty, network);
        var buyer = TunnelAddress(answer.BuyerTunnelAddress ?? string.Empty, "the address it assigns you");
        if (contract.BuyerTunnelAddress.Length > 0 && !buyer.Equals(IPAddress.Parse(contract.BuyerTunnelAddress)))
        {
            throw Refused($"it now assigns you {buyer}, not the {contract.BuyerTunnelAddress} it named when you accepted", paid: true);
        }

        var seller = TunnelAddress(answer.SellerTunnelAddress ?? string.Empty, "its own tunnel address");
        if (seller.Equals(buyer) || seller.AddressFamily != buyer.AddressFamily)
        {
            throw Refused($"its tunnel address {seller} cannot sit beside yours ({buyer})", paid: true);
        }

        var ownInterface = contract.InterfaceName.Length > 0 ? contract.InterfaceName : null;
        if ((TunnelPlacement.BuyerAddressProblem(buyer, network, ownInterface) ?? TunnelPlacement.SellerAddressProblem(seller, buyer, network, ownInterface)) is { } misplaced)
        {
            throw Refused(misplaced, paid: true);
        }

        // The prefixes of the contract's mode exactly (TunnelRoutes, which the seller uses too). For node-to-node that is
        // the seller's tunnel address: a wider prefix would take this machine's traffic (0.0.0.0/0, its own LAN) into the
        // seller's hands. For an exit or a port forward it is the whole family, which only widens what WireGuard accepts
        // from the seller; what this machine routes into the tunnel stays the buyer's choice.
        var mode = contract.TunnelMode;
        var routes = TunnelRoutes.AllowedIpsFor(mode, seller);
        if (allowedIps.Count == 0)
        {
            throw Refused("it names no address to route through the tunnel", paid: true);
        }

        foreach (var text in allowedIps)
        {
            if (!IpPrefix.TryParse(text, out var prefix) || !routes.Contains(prefix.ToString()))
            {
                throw Refused($"it asks to route {Printable(text)} through the tunnel; a {TunnelOfferVocabulary.WireName(mode)} tunnel routes only {string.Join(", ", routes)}", paid: true);
            }
        }

        var resolvers = RequireResolvers(answer.Dns, mode, seller.AddressFamily, network);
        var forwarded = RequireForwardedEndpoint(answer.ForwardedEndpoint, mode);

        // Paid until: the contract's recorded expiry once it has one (refreshes extend it), else now plus the time bought.
        // Shorter than that (beyond clock skew) is less than was paid for; much longer is nonsense.
        var until = paidUntil ?? (contract.ExpiresAt is { } known && known > now ? known : now + TimeSpan.FromSeconds(contract.DurationSeconds));
        if (expiresAt <= now || expiresAt < until - ClockSkew || expiresAt > until + ExpiryTolerance)
        {
            throw Refused($"its expiry {expiresAt:u} does not fit the time paid for (until about {until:u})", paid: true);
        }

        return new SellerTunnel(answer.SellerWireGuardKey, endpoint.ToString(), buyer.ToString(), seller.ToString(), routes, expiresAt, resolvers, forwarded);
    }

    // At most this many resolvers: what resolv.conf reads (MAXNS) and more than any seller needs.
    private const int MaxResolvers = 3;

    /// <summary>An exit's resolvers: IP addresses of the tunnel's family, off this machine and unicast, since this
    /// machine's DNS goes to them while the tunnel is up. Other modes name none: their DNS stays this machine's.</summary>
    private static List<string> RequireResolvers(IReadOnlyList<string>? dns, TunnelMode mode, AddressFamily family, ILocalNetwork network)
    {
        if (dns is null || dns.Count == 0)
        {
            return [];
        }

        if (mode != TunnelMode.Exit)
        {
            throw Refused($"it names resolvers for a {TunnelOfferVocabulary.WireName(mode)} tunnel, which leaves this machine's DNS alone", paid: true);
        }

        if (dns.Count > MaxResolvers)
        {
            throw Refused($"it names {dns.Count} resolvers; at most {MaxResolvers} are used", paid: true);
        }

        var local = network.Addresses();
        var checkedResolvers = new List<string>();
        foreach (var text in dns)
        {
            var address = TunnelAddress(text ?? string.Empty, "a resolver it names");
            if (address.AddressFamily != family || local.Contains(address))
            {
                throw Refused($"the resolver {address} cannot be reached through this tunnel", paid: true);
            }

            checkedResolvers.Add(address.ToString());
        }

        return checkedResolvers.Distinct().ToList();
    }

    /// <summary>A port forward's public host:port: an IP address (IPv6 in brackets) or RFC 1123 host name, and a port;
    /// it goes into LND's configuration, so only those characters. Other modes have none.</summary>
    private static string? RequireForwardedEndpoint(string? text, TunnelMode mode)
    {
        if (mode != TunnelMode.PortForward)
        {
            return text is null ? null : throw Refused($"it names a forwarded port for a {TunnelOfferVocabulary.WireName(mode)} tunnel", paid: true);
        }

        if (text is null)
        {
            throw Refused("it names no public port for a port-forward tunnel", paid: true);
        }

        if (SellerEndpointText.TryParseLiteral(text, out var literal) && literal.Port != 0)
        {
            return SellerEndpointText.IsUnicastOffMachine(literal.Address)
                ? literal.ToString()
                : throw Refused($"its public port {literal} is on a loopback, link-local, multicast or unspecified address", paid: true);
        }

        return SellerEndpointText.TryParseHostName(text, out var host, out var port) && port != 0
            ? $"{host}:{port}"
            : throw Refused($"its public port {Printable(text)} is not a host and port", paid: true);
    }

    private static IPAddress TunnelAddress(string text, string what, bool paid = true)
    {
        // Only an address's own characters: nothing that could end a line in a file or an argument on a command line,
        // and no shorthand such as "10" that parsers read as 0.0.0.10.
        if (text.Length is 0 or > 45 || !text.All(c => Uri.IsHexDigit(c) || c is '.' or ':')
            || !(text.Contains(':') || text.Count(c => c == '.') == 3) || !IPAddress.TryParse(text, out var address))
        {
            throw Refused($"{what}, {Printable(text)}, is not an IP address", paid);
        }

        if (!SellerEndpointText.IsUnicastOffMachine(address))
        {
            throw Refused($"{what}, {address}, is a loopback, link-local, multicast or unspecified address", paid);
        }

        return address;
    }

    // A seller's text goes into a message only shortened and with nothing invisible (controls, bidi overrides,
    // zero-width characters): a log line stays one line and reads as it is.
    internal static string Printable(string text) => $"'{UntrustedText.Clean(text, 64)}'";

    internal static PurchaseException Refused(string why, bool paid) =>
        new(PurchaseError.SellerAnswerRefused, $"The seller's answer was refused: {why}." + (paid ? string.Empty : " Nothing was paid."));
}
