using ImpVpn.Core.Buying;
using Grpc.Core;

namespace ImpVpn.Daemon;

/// <summary>
/// The quotes this daemon received for RequestQuote, by nonce, until accepted or lapsed: AcceptContract buys only
/// a quote found here with the same seller and price, as Confirm-VpnContract -PubKey -Nonce -Price buys only a
/// quote its session requested. A quote is taken out when accepted, under the book's lock, so two AcceptContract
/// calls with one quote start one purchase; the second is told which id has it. Bounded: the oldest are dropped
/// beyond <see cref="Capacity"/>, lapsed ones at each addition.
/// </summary>
internal sealed class ApiQuoteBook(TimeProvider clock)
{
    public const int Capacity = 1000;

    private readonly object _gate = new();
    private readonly Dictionary<string, VpnQuote> _open = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Dictionary<string, string> _accepted = new(StringComparer.Ordinal);
    private readonly Queue<string> _acceptedOrder = new();

    public void Add(VpnQuote quote)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            foreach (var lapsed in _open.Where(q => q.Value.IsExpired(now)).Select(q => q.Key).ToList())
            {
                _open.Remove(lapsed);
            }

            _open[quote.Nonce] = quote;
            _order.Enqueue(quote.Nonce);
            while (_open.Count > Capacity && _order.TryDequeue(out var oldest))
            {
                _open.Remove(oldest);
            }
        }
    }

    /// <summary>The quote with these terms, taken out of the book for the purchase <paramref name="requestId"/>;
    /// an <see cref="RpcException"/> saying why there is none (nothing is paid then).</summary>
    public VpnQuote Take(string pubKey, string nonce, long priceSat, string requestId)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(nonce, out var quote))
            {
                throw _accepted.TryGetValue(nonce, out var earlier)
                    ? new RpcException(new Status(StatusCode.FailedPrecondition, $"The quote {nonce} was already accepted (AcceptContract id {earlier}); a quote buys once. Nothing was paid now."))
                    : new RpcException(new Status(StatusCode.NotFound, $"No quote with nonce {nonce} was received by this daemon (or it lapsed): call RequestQuote and wait for its quote_received event. Nothing was paid."));
            }

            if (!string.Equals(quote.SellerPubKey, pubKey, StringComparison.OrdinalIgnoreCase) || quote.PriceSat != priceSat)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"The quote {nonce} is from {quote.SellerPubKey} at {quote.PriceSat} sat, not from {pubKey} at {priceSat} sat. Nothing was paid."));
            }

            if (quote.IsExpired(clock.GetUtcNow()))
            {
                _open.Remove(nonce);
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"The quote {nonce} expired at {quote.ExpiresAt:u}; request a new one. Nothing was paid."));
            }

            _open.Remove(nonce);
            _accepted[nonce] = requestId;
            _acceptedOrder.Enqueue(nonce);
            while (_accepted.Count > Capacity && _acceptedOrder.TryDequeue(out var oldest))
            {
                _accepted.Remove(oldest);
            }

            return quote;
        }
    }

    /// <summary>Puts back a quote taken for a purchase refused before it started (the ceiling), so the client may
    /// still accept it once allowed.</summary>
    public void Return(VpnQuote quote)
    {
        lock (_gate)
        {
            _accepted.Remove(quote.Nonce);
            _open[quote.Nonce] = quote;
        }
    }
}
