using Grpc.Core;
using ImpVpn.Core.Buying;

namespace ImpVpn.Daemon.Tests;

/// <summary>The API's quote book: a quote is taken once (concurrent accepts of one quote: one wins, the others are
/// told its id), only with its own seller and price, not after it lapsed; one put back may be taken again.</summary>
public sealed class ApiQuoteBookTests
{
    private const string Seller = "02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private readonly Clock _clock = new();

    [Fact]
    public async Task Concurrent_accepts_of_one_quote_take_it_once()
    {
        var book = new ApiQuoteBook(_clock);
        book.Add(Quote("n1", 500));
        var attempts = Enumerable.Range(0, 16).Select(i => Task.Run(() =>
        {
            try
            {
                book.Take(Seller, "n1", 500, $"id{i}");
                return (Won: true, Detail: string.Empty);
            }
            catch (RpcException e)
            {
                Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
                return (Won: false, e.Status.Detail);
            }
        })).ToList();
        var outcomes = await Task.WhenAll(attempts);
        Assert.Single(outcomes, o => o.Won);
        Assert.All(outcomes.Where(o => !o.Won), o => Assert.Contains("already accepted", o.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public void Terms_must_match_and_a_lapsed_quote_is_refused()
    {
        var book = new ApiQuoteBook(_clock);
        book.Add(Quote("n1", 500));
        Assert.Equal(StatusCode.InvalidArgument, Assert.Throws<RpcException>(() => book.Take(Seller, "n1", 499, "a")).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, Assert.Throws<RpcException>(() => book.Take("03" + Seller[2..], "n1", 500, "a")).StatusCode);
        Assert.Equal(StatusCode.NotFound, Assert.Throws<RpcException>(() => book.Take(Seller, "n2", 500, "a")).StatusCode);

        // The key compared without regard to case, as the cmdlets compare it.
        var taken = book.Take(Seller.ToUpperInvariant(), "n1", 500, "a");
        book.Return(taken);
        _clock.Now = _clock.Now.AddMinutes(10);
        Assert.Equal(StatusCode.FailedPrecondition, Assert.Throws<RpcException>(() => book.Take(Seller, "n1", 500, "b")).StatusCode);
    }

    [Fact]
    public void Two_sellers_quoting_the_same_nonce_keep_both_quotes()
    {
        const string other = "03bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        var book = new ApiQuoteBook(_clock);
        book.Add(Quote("same", 500));
        book.Add(Quote("same", 700) with { SellerPubKey = other });

        Assert.Equal(700, book.Take(other, "same", 700, "a").PriceSat);
        Assert.Equal(500, book.Take(Seller, "same", 500, "b").PriceSat);
    }

    [Fact]
    public void Taken_and_lapsed_quotes_leave_the_order_and_do_not_evict_newer_ones()
    {
        var book = new ApiQuoteBook(_clock);
        for (var i = 0; i < ApiQuoteBook.Capacity; i++)
        {
            book.Add(Quote($"t{i}", 500));
            book.Take(Seller, $"t{i}", 500, $"id{i}");
        }

        Assert.Equal((0, 0), book.Size);
        book.Add(Quote("lapses", 500));
        _clock.Now = _clock.Now.AddMinutes(10);
        book.Add(Quote("first", 500));
        Assert.Equal((1, 1), book.Size);

        // The book full of newer quotes: "first", put back after a refused purchase, is now the newest, so the
        // one added after it is the oldest and goes.
        for (var i = 1; i < ApiQuoteBook.Capacity; i++)
        {
            book.Add(Quote($"n{i}", 500));
        }

        book.Return(book.Take(Seller, "first", 500, "refused"));
        book.Add(Quote("last", 500));
        Assert.Equal((ApiQuoteBook.Capacity, ApiQuoteBook.Capacity), book.Size);
        Assert.Equal(StatusCode.NotFound, Assert.Throws<RpcException>(() => book.Take(Seller, "n1", 500, "x")).StatusCode);
        Assert.Equal(500, book.Take(Seller, "first", 500, "y").PriceSat);
        Assert.Equal(500, book.Take(Seller, "last", 500, "z").PriceSat);
    }

    private VpnQuote Quote(string nonce, long price) =>
        new(Seller, nonce, price, TimeSpan.FromHours(1), _clock.Now.AddMinutes(5), "ipv4", "node-to-node", "promise");

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
