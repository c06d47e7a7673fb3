using System.Collections.Concurrent;
using System.Security.Cryptography;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Prices tunnels and stands by its quotes without storing them: a quote carries a promise (a MAC over its terms
/// and the buyer's node key, <see cref="QuotePromise"/>), and an accepted quote is honoured only when the promise
/// still matches, it has not lapsed, and its nonce has not been used. Peers that ask too often are refused.
/// </summary>
internal sealed class QuoteDesk
{
    private readonly SellerOptions _options;
    private readonly QuotePromise _promise;
    private readonly TimeProvider _clock;
    private readonly IProgressLog _log;
    private readonly QuoteRateLimiter _rateLimiter;
    private readonly QuoteRateLimiter _offerRateLimiter;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _usedNonces = new();

    public QuoteDesk(SellerOptions options, QuotePromise promise, TimeProvider clock, IProgressLog log)
    {
        _options = options;
        _promise = promise;
        _clock = clock;
        _log = log;
        _rateLimiter = new QuoteRateLimiter(options.QuotesPerPeerPerMinute, clock);
        // Offers have their own budget, as large as quotes': asking what is sold must not use up the quotes.
        _offerRateLimiter = new QuoteRateLimiter(options.QuotesPerPeerPerMinute, clock);
    }

    /// <summary>Marks the nonces of contracts this seller already holds as used (on start: what a restart would
    /// otherwise forget), until their quote would have expired anyway, so a quote accepted before the restart cannot
    /// be accepted, and paid, a second time.</summary>
    public void RememberAccepted(IEnumerable<SoldContract> contracts)
    {
        foreach (var contract in contracts.Where(c => c.Nonce.Length > 0))
        {
            _usedNonces.TryAdd(contract.Nonce, contract.QuoteExpiresAt);
        }
    }

    public QuoteResponse Quote(string buyer, QuoteRequest request)
    {
        if (!_rateLimiter.TryTake(buyer))
        {
            throw new ProtocolException(ProtocolErrorCode.RateLimited, "Too many quotes; try again in a minute.");
        }

        var offer = request.Offer ?? new TunnelOffer();
        RequireSold(offer);

        var duration = TimeSpan.FromSeconds(request.DurationSeconds);
        var price = _options.Pricing.PriceFor(duration);
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var expires = _clock.GetUtcNow().Add(_options.QuoteLifetime).ToUnixTimeSeconds();
        _log.Log(LogLevel.Verbose, $"Quote for {buyer[..16]}…: {price} sat for {duration}.");
        return new QuoteResponse(nonce, price, request.DurationSeconds, expires, offer,
            _promise.Sign(buyer, nonce, price, request.DurationSeconds, expires, offer));
    }

    /// <summary>What this seller sells (impvpn.v1.offer): nothing is stored, only the peer's rate is counted.
    /// <paramref name="activeContracts"/> is read without the contracts' lock, so the capacity left is a hint.</summary>
    public OfferResponse Offer(string buyer, int activeContracts)
    {
        if (!_offerRateLimiter.TryTake(buyer))
        {
            throw new ProtocolException(ProtocolErrorCode.RateLimited, "Too many offer requests; try again in a minute.");
        }

        var pricing = _options.Pricing;
        return new OfferResponse(
            _options.SoldModes.Select(TunnelOfferVocabulary.WireName).ToList(),
            _options.SoldAddressFamilies.Select(TunnelOfferVocabulary.WireName).ToList(),
            pricing.PricePerHourSat,
            (long)Math.Ceiling(pricing.MinimumDuration.TotalSeconds),
            (long)Math.Floor(pricing.MaximumDuration.TotalSeconds),
            Math.Max(0, _options.MaxActiveContracts - activeContracts),
            PeerProtocol.SupportedVersions,
            SellerOptions.ValidRegion(_options.Region));
    }

    private void RequireSold(TunnelOffer offer)
    {
        var modes = _options.SoldModes.Select(TunnelOfferVocabulary.WireName).ToList();
        var families = _options.SoldAddressFamilies.Select(TunnelOfferVocabulary.WireName).ToList();
        if (!modes.Contains(offer.Mode) || !families.Contains(offer.AddressFamily))
        {
            // Names what is sold, never what was asked (errors never echo input), so the buyer can ask again for that.
            throw new ProtocolException(ProtocolErrorCode.OfferNotSold,
                $"This seller sells modes {string.Join(", ", modes)}; address families {string.Join(", ", families)}.");
        }
    }

    /// <summary>Checks that <paramref name="request"/> is a quote this seller gave <paramref name="buyer"/>, still
    /// open and never accepted before, and reserves its nonce while the accept runs; returns the buyer's WireGuard
    /// key. The caller gives the nonce back with <see cref="Unreserve"/> when the accept fails, so only an accept
    /// that succeeded (invoice issued, contract saved) burns it; a refused one can be retried.</summary>
    public WireGuardPublicKey Honour(string buyer, AcceptRequest request)
    {
        if (!_promise.Verify(buyer, request.Nonce, request.PriceSat, request.DurationSeconds, request.ExpiresAt, request.Offer, request.Promise))
        {
            throw new ProtocolException(ProtocolErrorCode.TermsMismatch, "These are not the terms this seller quoted to you.");
        }

        // A quote given before a restart that changed what is sold is honoured only for what is sold now.
        RequireSold(request.Offer ?? new TunnelOffer());

        var now = _clock.GetUtcNow();
        if (now.ToUnixTimeSeconds() >= request.ExpiresAt)
        {
            throw new ProtocolException(ProtocolErrorCode.QuoteExpired, "The quote has expired; ask for a new one.");
        }

        if (!WireGuardPublicKey.TryParse(request.BuyerWireGuardKey, out var buyerKey))
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, "buyer_wire_guard_key is not a WireGuard public key.");
        }

        // Remember used nonces until their quote would have expired anyway: bounded state.
        foreach (var (stale, _) in _usedNonces.Where(n => n.Value < now).ToList())
        {
            _usedNonces.TryRemove(stale, out _);
        }

        if (!_usedNonces.TryAdd(request.Nonce, DateTimeOffset.FromUnixTimeSeconds(request.ExpiresAt)))
        {
            throw new ProtocolException(ProtocolErrorCode.NonceReused, "This quote was accepted already; ask for a new one.");
        }

        return buyerKey!;
    }

    /// <summary>The accept that reserved <paramref name="nonce"/> did not happen: the quote may be accepted again.</summary>
    public void Unreserve(string nonce) => _usedNonces.TryRemove(nonce, out _);
}
