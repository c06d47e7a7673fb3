using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ImpVpn.Core.Protocol;

/// <summary>
/// Lets a seller honour its quotes without storing them (LSPS2's "promise" idea): the quote carries
/// HMAC-SHA256(seller secret, canonical quote terms including the buyer's node key). On accept the seller
/// recomputes it; a buyer cannot change price, duration or expiry, nor use another buyer's quote.
/// </summary>
public sealed class QuotePromise(byte[] sellerSecret)
{
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(32);

    public string Sign(string buyerPubKey, string nonce, long priceSat, long durationSeconds, long expiresAt, TunnelOffer offer) =>
        Convert.ToHexString(HMACSHA256.HashData(sellerSecret, Terms(buyerPubKey, nonce, priceSat, durationSeconds, expiresAt, offer)))
            .ToLowerInvariant();

    public bool Verify(string buyerPubKey, string nonce, long priceSat, long durationSeconds, long expiresAt, TunnelOffer offer, string promise)
    {
        byte[] given;
        try
        {
            given = Convert.FromHexString(promise);
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(sellerSecret, Terms(buyerPubKey, nonce, priceSat, durationSeconds, expiresAt, offer));
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private static byte[] Terms(string buyerPubKey, string nonce, long priceSat, long durationSeconds, long expiresAt, TunnelOffer offer) =>
        Encoding.UTF8.GetBytes(string.Join('\n',
            "impvpn-quote-v1",
            buyerPubKey.ToLowerInvariant(),
            nonce,
            priceSat.ToString(CultureInfo.InvariantCulture),
            durationSeconds.ToString(CultureInfo.InvariantCulture),
            expiresAt.ToString(CultureInfo.InvariantCulture),
            offer.AddressFamily,
            offer.Mode));
}
