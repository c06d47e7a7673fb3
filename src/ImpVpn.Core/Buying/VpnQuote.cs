using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>A seller's offer as the buyer holds it: price for a duration, valid until ExpiresAt, bound to this
/// buyer by the seller's promise. Confirm-VpnContract takes it back as is.</summary>
public sealed record VpnQuote(
    string SellerPubKey,
    string Nonce,
    long PriceSat,
    TimeSpan Duration,
    DateTimeOffset ExpiresAt,
    string AddressFamily,
    string Mode,
    string Promise)
{
    public TunnelOffer Offer => new(AddressFamily, Mode);

    /// <summary>The seller's Lightning host:port when the buyer gave one (pubkey@host:port), used again to reconnect.</summary>
    public string? SellerNodeAddress { get; init; }

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;

    public static VpnQuote From(string sellerPubKey, QuoteResponse response) => new(
        sellerPubKey.ToLowerInvariant(),
        response.Nonce,
        response.PriceSat,
        TimeSpan.FromSeconds(response.DurationSeconds),
        DateTimeOffset.FromUnixTimeSeconds(response.ExpiresAt),
        response.Offer.AddressFamily,
        response.Offer.Mode,
        response.Promise);
}
