using System.Text.RegularExpressions;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>
/// A seller's offer checked against what the buyer asked for, before anything is accepted or paid: a quote must be
/// for the duration, mode and address family asked, at a price between 1 sat and all bitcoin, valid from now until
/// at most a day ahead, and carry a nonce and promise of plain characters (they travel back to the seller and into
/// the store); a refresh offer must be for the contract and duration asked. A seller that answers a question nobody
/// asked (a minute for an hour's request, say) is refused rather than taken at its word.
/// </summary>
public static partial class QuoteCheck
{
    /// <summary>All bitcoin there will ever be, in sat: no price can be higher.</summary>
    public const long MaxSat = 21_000_000L * 100_000_000L;

    // A quote is an offer to act on now; one valid for longer than this is not a quote this buyer asked for.
    private static readonly TimeSpan MaxValidity = TimeSpan.FromDays(1);

    /// <summary>Refuses, before anything is accepted or paid, a quote for a tunnel this buyer cannot set up: a seller
    /// (or another ImpVpn) may quote an exit, a port forward or a dual-stack tunnel, and the buyer's tunnel check after
    /// paying would refuse it, leaving the payment held until the seller gives up.</summary>
    public static void RequireDeliverable(TunnelOffer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        // Node-to-node; exit (a full tunnel, FullTunnelSetup); port forward (PortForwardRouting). Not dual-stack.
        if (!TunnelOfferVocabulary.TryParseMode(offer.Mode, out _)
            || (offer.AddressFamily != TunnelOfferVocabulary.WireName(TunnelAddressFamily.IPv4) && offer.AddressFamily != TunnelOfferVocabulary.WireName(TunnelAddressFamily.IPv6)))
        {
            throw new PurchaseException(PurchaseError.OfferNotSupported,
                $"This version of ImpVpn sets up node-to-node, exit and port-forward tunnels (IPv4 or IPv6) only, not a {SellerAnswerCheck.Printable(offer.Mode ?? string.Empty)} {SellerAnswerCheck.Printable(offer.AddressFamily ?? string.Empty)} tunnel; nothing was accepted or paid.");
        }
    }

    public static void RequireQuote(QuoteResponse answer, QuoteRequest asked, DateTimeOffset now)
    {
        var offer = answer.Offer ?? new TunnelOffer(string.Empty, string.Empty);
        var wanted = asked.Offer ?? new TunnelOffer();
        if (answer.DurationSeconds != asked.DurationSeconds)
        {
            throw Refused($"it quotes {TimeSpan.FromSeconds(Math.Clamp(answer.DurationSeconds, 0, int.MaxValue))} where {TimeSpan.FromSeconds(asked.DurationSeconds)} was asked");
        }

        if (offer.Mode != wanted.Mode || offer.AddressFamily != wanted.AddressFamily)
        {
            throw Refused($"it quotes a {SellerAnswerCheck.Printable(offer.Mode ?? string.Empty)} {SellerAnswerCheck.Printable(offer.AddressFamily ?? string.Empty)} tunnel where a {wanted.Mode} {wanted.AddressFamily} tunnel was asked");
        }

        if (answer.PriceSat is < 1 or > MaxSat)
        {
            throw Refused($"its price, {answer.PriceSat} sat, is not a price");
        }

        if (answer.ExpiresAt <= now.ToUnixTimeSeconds() || answer.ExpiresAt > (now + MaxValidity).ToUnixTimeSeconds())
        {
            throw Refused("its quote's expiry is not between now and a day from now");
        }

        if (!Token().IsMatch(answer.Nonce ?? string.Empty) || !Token().IsMatch(answer.Promise ?? string.Empty))
        {
            throw Refused("its quote's nonce or promise holds characters other than letters, digits, '-' and '_'");
        }
    }

    public static void RequireRefresh(RefreshResponse answer, RefreshRequest asked)
    {
        if (answer.ContractId != asked.ContractId)
        {
            throw Refused($"it offers a refresh of {SellerAnswerCheck.Printable(answer.ContractId ?? string.Empty)} where {asked.ContractId} was asked");
        }

        if (answer.DurationSeconds != asked.DurationSeconds)
        {
            throw Refused($"it offers {TimeSpan.FromSeconds(Math.Clamp(answer.DurationSeconds, 0, int.MaxValue))} more where {TimeSpan.FromSeconds(asked.DurationSeconds)} was asked");
        }

        if (answer.PriceSat is < 1 or > MaxSat)
        {
            throw Refused($"its price, {answer.PriceSat} sat, is not a price");
        }
    }

    private static PurchaseException Refused(string why) => SellerAnswerCheck.Refused(why, paid: false);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,512}$", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
