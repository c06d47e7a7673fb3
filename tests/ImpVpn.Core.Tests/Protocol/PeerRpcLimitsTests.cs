using ImpVpn.Core.Protocol;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Protocol;

/// <summary>The endpoint's per-peer state: the rate bucket and the answer memory stay within their bounds, and one
/// peer's flood spends only its own share.</summary>
public sealed class PeerRpcLimitsTests
{
    [Fact]
    public void A_peer_gets_its_burst_then_its_rate_and_never_spends_another_peers_tokens()
    {
        var clock = new SteppedClock();
        var limiter = new RequestRateLimiter(new PeerRpcLimits { RequestBurst = 3, RequestsPerSecond = 1 }, clock);

        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => limiter.TryTake("flooder")).ToArray());
        Assert.True(limiter.TryTake("honest"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryTake("flooder"));
        Assert.False(limiter.TryTake("flooder"));
    }

    [Fact]
    public void Tracked_peers_stay_within_their_bound()
    {
        var limiter = new RequestRateLimiter(new PeerRpcLimits { TrackedPeers = 10 }, new SteppedClock());
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(limiter.TryTake("peer" + i));
        }

        Assert.InRange(limiter.TrackedPeers, 1, 10);
    }

    [Fact]
    public void Answers_are_bounded_per_peer_in_count_in_bytes_and_in_time()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var cache = new AnswerCache(new PeerRpcLimits { AnswersPerPeer = 4, Answers = 10, AnswerBytes = 5_000, AnswerMemory = TimeSpan.FromMinutes(1) }, clock);
        Assert.True(cache.TryClaim("honest", "h1", out _));
        cache.Complete("honest", "h1", new byte[100]);

        for (var i = 0; i < 500; i++)
        {
            Assert.True(cache.TryClaim("flooder", "f" + i, out _));
            cache.Complete("flooder", "f" + i, new byte[1_000]);
        }

        // The flood evicted only the flooder's own answers: the honest peer's retry is still answered, not re-run.
        Assert.False(cache.TryClaim("honest", "h1", out var earlier));
        Assert.Equal(100, earlier!.Length);
        Assert.InRange(cache.Count, 1, 5);
        Assert.InRange(cache.Bytes, 100, 5_000);

        // A repeat while the first answer is being made gets nothing (the answer follows).
        Assert.True(cache.TryClaim("honest", "h2", out _));
        Assert.False(cache.TryClaim("honest", "h2", out var pending));
        Assert.Null(pending);

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(cache.TryClaim("honest", "h1", out _));
        Assert.Equal(1, cache.Count);
    }

    /// <summary>A clock whose timestamps a test moves (the rate bucket measures elapsed time by timestamps).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
