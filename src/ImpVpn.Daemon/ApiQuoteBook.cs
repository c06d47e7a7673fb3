using ImpVpn.Core.Buying;
using Grpc.Core;

namespace ImpVpn.Daemon;

/// <summary>
/// The quotes this daemon received for RequestQuote, by seller and nonce, until accepted or lapsed: AcceptContract
/// buys only a quote found here with the same seller and price, as Confirm-VpnContract -PubKey -Nonce -Price buys
/// only a quote its session requested. Keyed by seller and nonce, since a nonce is the seller's choice: one seller's
/// quote must not replace another's that happens to carry the same nonce. A quote is taken out when accepted, under
/// the book's lock, so two AcceptContract calls with one quote start one purchase; the second is told which id has
/// it. Bounded: lapsed quotes are dropped at each addition, and the oldest open ones beyond <see cref="Capacity"/>.
/// The order of arrival is a list an entry leaves when its quote is taken or lapses, so it holds only open quotes:
/// it neither grows without bound nor makes a quote long gone count as the oldest and evict a newer one.
/// </summary>
internal sealed class ApiQuoteBook(TimeProvider clock)
{
    public const int Capacity = 1000;

    private readonly object _gate = new();
    private readonly Dictionary<string, (VpnQuote Quote, LinkedListNode<string> Place)> _open = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();
    private readonly Dictionary<string, (string RequestId, LinkedListNode<string> Place)> _accepted = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _acceptedOrder = new();

    /// <summary>For tests: how many quotes the book holds open, and how many places its order keeps.</summary>
    internal (int Open, int Ordered) Size
    {
        get
        {
            lock (_gate)
            {
                return (_open.Count, _order.Count);
            }
        }
    }

    public void Add(VpnQuote quote)
    {
        ArgumentNullException.ThrowIfNull(quote);
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            foreach (var lapsed in _open.Where(q => q.Value.Quote.IsExpired(now)).Select(q => q.Key).ToList())
            {
                RemoveOpen(lapsed);
            }

            Open(quote);
            while (_open.Count > Capacity && _order.First is { } oldest)
            {
                RemoveOpen(oldest.Value);
            }
        }
    }

    /// <summary>The quote with these terms, taken out of the book for the purchase <paramref name="requestId"/>;
    /// an <see cref="RpcException"/> saying why there is none (nothing is paid then).</summary>
    public VpnQuote Take(string pubKey, string nonce, long priceSat, string requestId)
    {
        var key = Key(pubKey, nonce);
        lock (_gate)
        {
            if (!_open.TryGetValue(key, out var open))
            {
                if (_accepted.TryGetValue(key, out var earlier))
                {
                    throw new RpcException(new Status(StatusCode.FailedPrecondition, $"The quote {nonce} was already accepted (AcceptContract id {earlier.RequestId}); a quote buys once. Nothing was paid now."));
                }

                if (_open.Values.FirstOrDefault(q => q.Quote.Nonce == nonce).Quote is { } another)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"The quote {nonce} is from {another.SellerPubKey}, not from {pubKey}. Nothing was paid."));
                }

                throw new RpcException(new Status(StatusCode.NotFound, $"No quote with nonce {nonce} was received by this daemon (or it lapsed): call RequestQuote and wait for its quote_received event. Nothing was paid."));
            }

            var quote = open.Quote;
            if (quote.PriceSat != priceSat)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"The quote {nonce} is from {quote.SellerPubKey} at {quote.PriceSat} sat, not at {priceSat} sat. Nothing was paid."));
            }

            RemoveOpen(key);
            if (quote.IsExpired(clock.GetUtcNow()))
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"The quote {nonce} expired at {quote.ExpiresAt:u}; request a new one. Nothing was paid."));
            }

            _accepted[key] = (requestId, _acceptedOrder.AddLast(key));
            while (_accepted.Count > Capacity && _acceptedOrder.First is { } oldest)
            {
                _accepted.Remove(oldest.Value);
                _acceptedOrder.RemoveFirst();
            }

            return quote;
        }
    }

    /// <summary>Puts back a quote taken for a purchase refused before it started (the ceiling, the budget), so the
    /// client may still accept it once allowed.</summary>
    public void Return(VpnQuote quote)
    {
        ArgumentNullException.ThrowIfNull(quote);
        var key = Key(quote.SellerPubKey, quote.Nonce);
        lock (_gate)
        {
            if (_accepted.Remove(key, out var accepted))
            {
                _acceptedOrder.Remove(accepted.Place);
            }

            Open(quote);
        }
    }

    private void Open(VpnQuote quote)
    {
        var key = Key(quote.SellerPubKey, quote.Nonce);
        RemoveOpen(key);
        _open[key] = (quote, _order.AddLast(key));
    }

    private void RemoveOpen(string key)
    {
        if (_open.Remove(key, out var removed))
        {
            _order.Remove(removed.Place);
        }
    }

    // A node key is hex, compared without regard to case as the cmdlets compare it; '/' is in neither part.
    private static string Key(string pubKey, string nonce) => pubKey.ToUpperInvariant() + "/" + nonce;
}
