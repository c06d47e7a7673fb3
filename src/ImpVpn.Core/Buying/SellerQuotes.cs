using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>Asks a seller what a tunnel costs (RequestQuote). Nothing is recorded: a quote is the seller's signed
/// promise, held only by whoever asked.</summary>
public sealed class SellerQuotes(SellerLink link, IProgressLog log)
{
    public async Task<VpnQuote> RequestAsync(SellerNode seller, TimeSpan duration, TimeSpan replyTimeout, CancellationToken cancellationToken)
    {
        await link.ConnectAsync(seller, cancellationToken).ConfigureAwait(false);
        var response = await link.CallAsync<QuoteResponse>(seller, PeerProtocol.Quote,
            new QuoteRequest((long)duration.TotalSeconds, new TunnelOffer()), replyTimeout, cancellationToken).ConfigureAwait(false);
        var quote = VpnQuote.From(seller.PubKey, response) with { SellerNodeAddress = seller.Address };
        log.Log(LogLevel.Verbose, $"Quote from {seller.PubKey}: {quote.PriceSat} sat for {quote.Duration}, valid until {quote.ExpiresAt:u}.");
        return quote;
    }
}
