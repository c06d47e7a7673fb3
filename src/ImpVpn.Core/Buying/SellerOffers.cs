using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>A seller's offer (impvpn.v1.offer), checked: what it sells, at what price per hour, for which durations,
/// where it says it is, how many more contracts it said it would take (a hint: others may take them first), and the
/// protocol versions it answers.</summary>
public sealed record SellerOffer(
    string SellerPubKey,
    IReadOnlyList<TunnelMode> Modes,
    IReadOnlyList<TunnelAddressFamily> AddressFamilies,
    long PricePerHourSat,
    TimeSpan MinimumDuration,
    TimeSpan MaximumDuration,
    string? Region,
    int CapacityLeft,
    IReadOnlyList<int> ProtocolVersions,
    TimeSpan AnswerTime);

/// <summary>Asks a seller what it sells. Nothing is recorded, and nothing of the answer is used before
/// <see cref="OfferCheck.Require"/> has checked every field.</summary>
public sealed class SellerOffers(SellerLink link, IProgressLog log, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public Task<SellerOffer> RequestAsync(SellerNode seller, TimeSpan replyTimeout, CancellationToken cancellationToken) =>
        RequestAsync(seller, replyTimeout, connected: false, cancellationToken);

    /// <summary>The offer; <paramref name="connected"/> says a peer list taken just before showed the seller
    /// connected, so no further ListPeers is asked (a discovery asks many nodes from one list). Should it have dropped
    /// since, the link connects again when the call is refused.</summary>
    public async Task<SellerOffer> RequestAsync(SellerNode seller, TimeSpan replyTimeout, bool connected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seller);
        if (!connected)
        {
            await link.ConnectAsync(seller, cancellationToken).ConfigureAwait(false);
        }

        var started = _clock.GetTimestamp();
        var response = await link.CallAsync<OfferResponse>(seller, PeerProtocol.Offer, new OfferRequest(), replyTimeout, cancellationToken).ConfigureAwait(false);
        var offer = OfferCheck.Require(seller.PubKey, response, _clock.GetElapsedTime(started));
        log.Log(LogLevel.Verbose, $"Offer from {seller.PubKey}: {offer.PricePerHourSat} sat/h, {offer.MinimumDuration} to {offer.MaximumDuration}, {offer.CapacityLeft} contracts free.");
        return offer;
    }

    /// <summary>The seller's offer, or null from a seller that predates offers (it does not know the method). Any other
    /// failure (no answer, a malformed offer) is thrown: a seller that cannot say what it sells is not quoted.</summary>
    public async Task<SellerOffer?> TryRequestAsync(SellerNode seller, TimeSpan replyTimeout, CancellationToken cancellationToken)
    {
        try
        {
            return await RequestAsync(seller, replyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (PurchaseException e) when (e.InnerException is ProtocolException { Code: ProtocolErrorCode.MethodNotFound })
        {
            log.Log(LogLevel.Verbose, $"The seller {NodePubKey.Abbreviate(seller.PubKey)} answers no offers (an ImpVpn before 0.3.0): asking its quote directly.");
            return null;
        }
    }
}

/// <summary>
/// A seller's offer checked before use: modes and address families spelt exactly as the protocol spells them (no
/// other case, no unknown names, no repeats, at least one, at most as many as there are), a price per hour between
/// 1 sat and all bitcoin, durations from 1 second to 10 years with the minimum no longer than the maximum, capacity
/// left not negative, protocol versions between 1 and 1000 (at most 16 of them, at least one), and a region that is a
/// short printable label (<see cref="OfferRegion"/>). Anything else is refused as a whole
/// (<see cref="PurchaseException"/> with <see cref="PurchaseError.SellerAnswerRefused"/>).
/// </summary>
public static class OfferCheck
{
    /// <summary>The longest duration an offer may name: ten years.</summary>
    public const long MaxDurationSeconds = 10L * 366 * 24 * 3600;

    private const int MaxVersions = 16;
    private const int MaxVersion = 1000;

    public static SellerOffer Require(string sellerPubKey, OfferResponse? answer, TimeSpan answerTime)
    {
        if (answer is null)
        {
            throw Refused("its offer is empty");
        }

        var modes = Names<TunnelMode>(answer.Modes, "mode", TunnelOfferVocabulary.TryParseMode);
        var families = Names<TunnelAddressFamily>(answer.AddressFamilies, "address family", TunnelOfferVocabulary.TryParseFamily);

        if (answer.PricePerHourSat is < 1 or > QuoteCheck.MaxSat)
        {
            throw Refused($"its price per hour, {answer.PricePerHourSat} sat, is not a price");
        }

        if (answer.MinimumDurationSeconds is < 1 or > MaxDurationSeconds
            || answer.MaximumDurationSeconds is < 1 or > MaxDurationSeconds
            || answer.MinimumDurationSeconds > answer.MaximumDurationSeconds)
        {
            throw Refused($"its durations ({answer.MinimumDurationSeconds} s to {answer.MaximumDurationSeconds} s) are not between 1 second and 10 years, shortest first");
        }

        if (answer.CapacityLeft < 0)
        {
            throw Refused($"its capacity left, {answer.CapacityLeft}, is negative");
        }

        var versions = answer.ProtocolVersions;
        if (versions is null || versions.Count is 0 or > MaxVersions || versions.Any(v => v is < 1 or > MaxVersion) || versions.Distinct().Count() != versions.Count)
        {
            throw Refused($"its protocol versions are not 1 to {MaxVersions} distinct versions between 1 and {MaxVersion}");
        }

        if (answer.Region is not null && !OfferRegion.IsValid(answer.Region))
        {
            throw Refused($"its region is not a label of at most {OfferRegion.MaxLength} letters, digits, '-' and spaces");
        }

        return new SellerOffer(
            sellerPubKey,
            modes,
            families,
            answer.PricePerHourSat,
            TimeSpan.FromSeconds(answer.MinimumDurationSeconds),
            TimeSpan.FromSeconds(answer.MaximumDurationSeconds),
            answer.Region,
            answer.CapacityLeft,
            versions.ToList(),
            answerTime);
    }

    private delegate bool TryParse<T>(string? wireName, out T value);

    private static List<T> Names<T>(IReadOnlyList<string>? names, string what, TryParse<T> parse)
        where T : struct, Enum
    {
        if (names is null || names.Count == 0)
        {
            throw Refused($"it names no {what}");
        }

        var parsed = new List<T>();
        foreach (var name in names)
        {
            // Exact wire names only: TryParse compares ordinally, so "Exit" or "exit " is refused.
            if (!parse(name, out var value))
            {
                throw Refused($"it names a {what} this version does not know ({SellerAnswerCheck.Printable(name ?? string.Empty)})");
            }

            if (parsed.Contains(value))
            {
                throw Refused($"it names the {what} {name} twice");
            }

            parsed.Add(value);
        }

        return parsed;
    }

    private static PurchaseException Refused(string why) => SellerAnswerCheck.Refused(why, paid: false);
}
