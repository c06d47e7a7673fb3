using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>Asks a seller what a tunnel costs (RequestQuote). Nothing is recorded: a quote is the seller's signed
/// promise, held only by whoever asked.</summary>
public sealed class SellerQuotes(SellerLink link, SellerOffers offers, IProgressLog log)
{
    /// <summary>A node-to-node IPv4 tunnel: what every seller has sold since version 1.</summary>
    public Task<VpnQuote> RequestAsync(SellerNode seller, TimeSpan duration, TimeSpan replyTimeout, CancellationToken cancellationToken) =>
        RequestAsync(seller, duration, new TunnelOffer(), replyTimeout, cancellationToken);

    /// <summary>Asks the seller's offer first (<see cref="SellerOffers"/>) and refuses, with the seller's own bounds, a
    /// mode, address family or duration it does not sell (<see cref="OfferFit"/>); then asks the quote. A seller too old
    /// to answer offers is quoted directly, and its quote refusal says the same in fewer words.</summary>
    public async Task<VpnQuote> RequestAsync(SellerNode seller, TimeSpan duration, TunnelOffer offer, TimeSpan replyTimeout, CancellationToken cancellationToken)
    {
        var asked = new QuoteRequest((long)duration.TotalSeconds, offer);
        if (await offers.TryRequestAsync(seller, replyTimeout, cancellationToken).ConfigureAwait(false) is { } sold)
        {
            OfferFit.Require(sold, asked.DurationSeconds, offer);
        }

        var response = await link.CallAsync<QuoteResponse>(seller, PeerProtocol.Quote, asked, replyTimeout, cancellationToken).ConfigureAwait(false);
        QuoteCheck.RequireQuote(response, asked, DateTimeOffset.UtcNow);
        var quote = VpnQuote.From(seller.PubKey, response) with { SellerNodeAddress = seller.Address };
        log.Log(LogLevel.Verbose, $"Quote from {seller.PubKey}: {quote.PriceSat} sat for {quote.Duration}, valid until {quote.ExpiresAt:u}.");
        return quote;
    }
}
