using System.Text.Json.Serialization;

namespace ImpVpn.Core.Protocol;

// The params and results of each method; version 2 adds the buyer's payment hash to accept and refresh, and claim.
// Version 1 requests are the same records without those fields. On the wire names are snake_case (JsonRpcCodec.WireOptions).
// Times are Unix seconds; amounts are whole satoshis; keys are base64 WireGuard keys.

/// <summary>What kind of tunnel is offered.</summary>
public sealed record TunnelOffer(string AddressFamily = "ipv4", string Mode = "node-to-node");

public sealed record QuoteRequest(long DurationSeconds, TunnelOffer? Offer = null);

/// <summary>A seller's quote. <see cref="Promise"/> is the seller's MAC over the terms: the seller keeps no state
/// for an open quote and checks the promise when the buyer accepts.</summary>
public sealed record QuoteResponse(
    string Nonce,
    long PriceSat,
    long DurationSeconds,
    long ExpiresAt,
    TunnelOffer Offer,
    string Promise);

/// <summary>The buyer accepts a quote exactly as it was given, adding its WireGuard public key and (version 2) the
/// hash of a preimage only it knows, for which the seller issues its hold invoice.</summary>
public sealed record AcceptRequest(
    string Nonce,
    long PriceSat,
    long DurationSeconds,
    long ExpiresAt,
    TunnelOffer Offer,
    string Promise,
    string BuyerWireGuardKey,
    string? PaymentHash = null);

/// <summary>The contract id and a hold invoice whose description hash commits to <see cref="ContractTerms"/>.</summary>
public sealed record AcceptResponse(
    string ContractId,
    string PaymentRequest,
    [property: JsonPropertyName("buyer_address")] string BuyerTunnelAddress);

/// <summary>Sent once the buyer's payment is in flight (the seller sees the hold invoice ACCEPTED), or later
/// with the preimage as proof of payment to fetch the tunnel's configuration again.</summary>
public sealed record ActivateRequest(string ContractId, string PaymentHash, string? Preimage = null)
{
    // The preimage is the buyer's proof of payment: keep it out of the compiler's ToString.
    public override string ToString() => $"Activate {ContractId} (payment {PaymentHash[..Math.Min(16, PaymentHash.Length)]}…{(Preimage is null ? string.Empty : ", with proof of payment")})";
}

public sealed record ActivateResponse(
    string ContractId,
    string SellerWireGuardKey,
    string Endpoint,
    // The addresses inside the tunnel; the wire keeps protocol version 1's names.
    [property: JsonPropertyName("buyer_address")] string BuyerTunnelAddress,
    [property: JsonPropertyName("seller_address")] string SellerTunnelAddress,
    IReadOnlyList<string> AllowedIps,
    long ExpiresAt,
    // Exit tunnels: the resolvers the buyer uses while its traffic goes through the tunnel (IP addresses).
    IReadOnlyList<string>? Dns = null,
    // Port-forward tunnels: the seller's public host:port that reaches the buyer's Lightning p2p port.
    string? ForwardedEndpoint = null);

/// <summary>More time; in version 2 with the hash of a new preimage of the buyer's, as for a purchase.</summary>
public sealed record RefreshRequest(string ContractId, long DurationSeconds, string? PaymentHash = null);

/// <summary>A hold invoice for more time; the buyer pays it and calls activate with its payment hash.</summary>
public sealed record RefreshResponse(string ContractId, long PriceSat, long DurationSeconds, string PaymentRequest);

/// <summary>Version 2: the buyer has checked the tunnel and reveals the preimage of <see cref="PaymentHash"/> (the
/// purchase's or a refresh's), which lets the seller settle its hold invoice.</summary>
public sealed record ClaimRequest(string ContractId, string PaymentHash, string Preimage)
{
    // The preimage pays the seller: keep it out of the compiler's ToString.
    public override string ToString() => $"Claim {ContractId} (payment {PaymentHash[..Math.Min(16, PaymentHash.Length)]}…)";
}

/// <summary>The invoice is settled; the contract runs until <see cref="ExpiresAt"/>.</summary>
public sealed record ClaimResponse(string ContractId, long ExpiresAt);

public sealed record StatusRequest(string ContractId);

public sealed record StatusResponse(string ContractId, string State, long ExpiresAt);

/// <summary>impvpn.v1.offer takes no parameters; the record exists so the params are an (empty) object.</summary>
public sealed record OfferRequest;

/// <summary>What a seller sells, as of the moment it answers. <see cref="CapacityLeft"/> is how many more contracts it
/// would take now (its active-contract limit less its active contracts): a hint, not a reservation, since other
/// buyers may take the room before this one asks for a quote. <see cref="Region"/> is the seller's own short label,
/// unverified.</summary>
public sealed record OfferResponse(
    IReadOnlyList<string> Modes,
    IReadOnlyList<string> AddressFamilies,
    long PricePerHourSat,
    long MinimumDurationSeconds,
    long MaximumDurationSeconds,
    int CapacityLeft,
    IReadOnlyList<int> ProtocolVersions,
    string? Region = null);
