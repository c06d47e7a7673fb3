using ImpVpn.Core.Buying;

namespace ImpVpn.PowerShell.Output;

/// <summary>A seller found by Find-VpnProvider and what it offers, as its node answered (impvpn.v1.offer, checked).
/// Modes and address families carry the names -Mode and -AddressFamily take. <see cref="SellerPubKey"/> binds
/// Request-VpnQuote's -PubKey from the pipeline.</summary>
public sealed record VpnOffer
{
    public required string SellerPubKey { get; init; }

    /// <summary>The alias in the seller's node announcement; null for a peer the graph does not know.</summary>
    public string? Alias { get; init; }

    public required string[] Modes { get; init; }

    public required string[] AddressFamilies { get; init; }

    public long PricePerHourSat { get; init; }

    public TimeSpan MinimumDuration { get; init; }

    public TimeSpan MaximumDuration { get; init; }

    /// <summary>Where the seller says it is (its own label, unchecked); null when it names none.</summary>
    public string? Region { get; init; }

    /// <summary>How many more contracts the seller said it would take: a hint, others may take them first.</summary>
    public int CapacityLeft { get; init; }

    public required int[] ProtocolVersions { get; init; }

    /// <summary>How long the seller took to answer the offer request.</summary>
    public TimeSpan AnswerTime { get; init; }

    /// <summary>Where it was found: Graph (its announcement says it sells), Peer (a connected peer), or both.</summary>
    public required string Source { get; init; }

    public static VpnOffer From(DiscoveredOffer found)
    {
        ArgumentNullException.ThrowIfNull(found);
        var offer = found.Offer;
        return new VpnOffer
        {
            SellerPubKey = offer.SellerPubKey,
            Alias = found.Alias,
            Modes = offer.Modes.Select(m => m.ToString()).ToArray(),
            AddressFamilies = offer.AddressFamilies.Select(f => f.ToString()).ToArray(),
            PricePerHourSat = offer.PricePerHourSat,
            MinimumDuration = offer.MinimumDuration,
            MaximumDuration = offer.MaximumDuration,
            Region = offer.Region,
            CapacityLeft = offer.CapacityLeft,
            ProtocolVersions = offer.ProtocolVersions.ToArray(),
            AnswerTime = offer.AnswerTime,
            Source = found.Source.ToString(),
        };
    }
}
