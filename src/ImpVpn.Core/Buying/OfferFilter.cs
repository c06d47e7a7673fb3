using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>Which offers a buyer wants: each list empty means any; otherwise an offer must sell at least one of
/// the modes and one of the address families named, cost at most the price per hour, and name one of the regions
/// (compared without regard to case; an offer that names no region matches no region asked for).</summary>
public sealed record OfferFilter(
    IReadOnlyList<TunnelMode> Modes,
    IReadOnlyList<TunnelAddressFamily> AddressFamilies,
    long? MaxPricePerHourSat,
    IReadOnlyList<string> Regions)
{
    public static OfferFilter Any { get; } = new([], [], null, []);

    public bool Matches(SellerOffer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        return (Modes.Count == 0 || Modes.Any(offer.Modes.Contains))
            && (AddressFamilies.Count == 0 || AddressFamilies.Any(offer.AddressFamilies.Contains))
            && (MaxPricePerHourSat is not { } max || offer.PricePerHourSat <= max)
            && (Regions.Count == 0 || (offer.Region is { } region && Regions.Any(r => string.Equals(r, region, StringComparison.OrdinalIgnoreCase))));
    }
}
