using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>
/// Whether what a buyer asks for fits a seller's checked offer: the mode and address family among those it sells, the
/// duration within its bounds. Asked before the quote so that a buyer hears the seller's own bounds at once, rather
/// than a bare refusal that spends a quote from the seller's rate limit. The seller checks the same at the quote and
/// again at accept, so this check only makes the answer earlier and clearer, never looser.
/// </summary>
public static class OfferFit
{
    public static void Require(SellerOffer offer, long durationSeconds, TunnelOffer asked)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(asked);
        var seller = NodePubKey.Abbreviate(offer.SellerPubKey);

        var modes = offer.Modes.Select(TunnelOfferVocabulary.WireName).ToList();
        var families = offer.AddressFamilies.Select(TunnelOfferVocabulary.WireName).ToList();
        if (!modes.Contains(asked.Mode) || !families.Contains(asked.AddressFamily))
        {
            throw new PurchaseException(PurchaseError.OfferNotSold,
                $"The seller {seller} does not sell {asked.Mode} over {asked.AddressFamily}: it sells the modes {string.Join(", ", modes)}; address families {string.Join(", ", families)}. Nothing was accepted or paid.");
        }

        var shortest = (long)offer.MinimumDuration.TotalSeconds;
        var longest = (long)offer.MaximumDuration.TotalSeconds;
        if (durationSeconds < shortest || durationSeconds > longest)
        {
            throw new PurchaseException(PurchaseError.DurationNotSold,
                $"The seller {seller} sells durations from {offer.MinimumDuration} to {offer.MaximumDuration}; {TimeSpan.FromSeconds(durationSeconds)} was asked for. Nothing was accepted or paid.")
            {
                SoldDurations = (offer.MinimumDuration, offer.MaximumDuration),
            };
        }
    }
}
