namespace ImpVpn.Core.Protocol;

/// <summary>
/// A token bucket per peer for every message it sends: <see cref="PeerRpcLimits.RequestBurst"/> at once, refilled
/// at <see cref="PeerRpcLimits.RequestsPerSecond"/>. One peer's flood empties its own bucket only, so it never
/// delays another peer. State is bounded by <see cref="PeerRpcLimits.TrackedPeers"/>: a full bucket is forgotten
/// first, since a peer that comes back finds a full one anyway.
/// </summary>
internal sealed class RequestRateLimiter(PeerRpcLimits limits, TimeProvider clock)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public int TrackedPeers
    {
        get
        {
            lock (_gate)
            {
                return _buckets.Count;
            }
        }
    }

    public bool TryTake(string peer)
    {
        var now = clock.GetTimestamp();
        lock (_gate)
        {
            if (!_buckets.TryGetValue(peer, out var bucket))
            {
                if (_buckets.Count >= limits.TrackedPeers)
                {
                    Forget(now);
                }

                bucket = new Bucket { Tokens = limits.RequestBurst, At = now, LastSeen = now };
                _buckets[peer] = bucket;
            }

            Refill(bucket, now);
            bucket.LastSeen = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    private void Refill(Bucket bucket, long now)
    {
        var seconds = clock.GetElapsedTime(bucket.At, now).TotalSeconds;
        bucket.Tokens = Math.Min(limits.RequestBurst, bucket.Tokens + (seconds * limits.RequestsPerSecond));
        bucket.At = now;
    }

    private void Forget(long now)
    {
        foreach (var (peer, bucket) in _buckets.ToList())
        {
            Refill(bucket, now);
            if (bucket.Tokens >= limits.RequestBurst)
            {
                _buckets.Remove(peer);
            }
        }

        // Every tracked peer is busy: forgetting the longest idle ones gives them a full bucket back, which is no
        // more than a new peer gets; keeping them would let state grow without end.
        if (_buckets.Count >= limits.TrackedPeers)
        {
            foreach (var (peer, _) in _buckets.OrderBy(b => b.Value.LastSeen).Take(_buckets.Count - (limits.TrackedPeers / 2)).ToList())
            {
                _buckets.Remove(peer);
            }
        }
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public long At { get; set; }

        public long LastSeen { get; set; }
    }
}
