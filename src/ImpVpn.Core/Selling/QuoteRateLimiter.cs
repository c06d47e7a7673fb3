using System.Collections.Concurrent;

namespace ImpVpn.Core.Selling;

/// <summary>At most N quotes per peer per minute: a quote costs the seller nothing to keep (it is a promise),
/// but answering is still work, and a peer that floods gets refused.</summary>
internal sealed class QuoteRateLimiter(int perMinute, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _recent = new();

    public bool TryTake(string peer)
    {
        var now = clock.GetUtcNow();
        var window = _recent.GetOrAdd(peer, _ => new Queue<DateTimeOffset>());
        lock (window)
        {
            while (window.Count > 0 && now - window.Peek() > TimeSpan.FromMinutes(1))
            {
                window.Dequeue();
            }

            if (window.Count >= perMinute)
            {
                return false;
            }

            window.Enqueue(now);
            return true;
        }
    }
}
