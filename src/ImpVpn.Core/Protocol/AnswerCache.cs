namespace ImpVpn.Core.Protocol;

/// <summary>
/// The answers a <see cref="PeerRpcEndpoint"/> remembers so that a retried request (same peer, same id) is answered
/// again instead of acted on twice. Bounded four ways (<see cref="PeerRpcLimits"/>): in time, per peer, in count
/// and in bytes. A peer over its share evicts its own oldest answers first, so one peer's flood cannot push out the
/// answer another peer's retry needs; beyond the totals the oldest answers of anyone go. What is kept is the encoded
/// reply (at most one custom message), never the request.
/// </summary>
internal sealed class AnswerCache(PeerRpcLimits limits, TimeProvider clock)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _byAge = new();
    private readonly Dictionary<string, LinkedList<Entry>> _byPeer = new(StringComparer.Ordinal);
    private long _bytes;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Claims (peer, id) for a new answer: true when this request is new. False for a repeat, with the
    /// answer given before in <paramref name="earlier"/>, or null while that answer is still being made.</summary>
    public bool TryClaim(string peer, string id, out byte[]? earlier)
    {
        var key = peer + "/" + id;
        lock (_gate)
        {
            ForgetExpired();
            if (_entries.TryGetValue(key, out var known))
            {
                earlier = known.Reply;
                return false;
            }

            var entry = new Entry(key, peer, clock.GetUtcNow());
            _entries[key] = entry;
            entry.AgeNode = _byAge.AddLast(entry);
            if (!_byPeer.TryGetValue(peer, out var own))
            {
                own = new LinkedList<Entry>();
                _byPeer[peer] = own;
            }

            entry.PeerNode = own.AddLast(entry);
            while (own.Count > limits.AnswersPerPeer)
            {
                Remove(own.First!.Value);
            }

            while (_entries.Count > limits.Answers)
            {
                Remove(_byAge.First!.Value);
            }

            earlier = null;
            return true;
        }
    }

    /// <summary>Keeps <paramref name="reply"/> as the answer to (peer, id), unless it was evicted meanwhile.</summary>
    public void Complete(string peer, string id, byte[] reply)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(peer + "/" + id, out var entry) || entry.Reply is not null)
            {
                return;
            }

            entry.Reply = reply;
            _bytes += reply.Length;
            while (_bytes > limits.AnswerBytes && _byAge.First is { } oldest)
            {
                Remove(oldest.Value);
            }
        }
    }

    /// <summary>Lets (peer, id) be asked again: its answer was never made (the endpoint stopped).</summary>
    public void Abandon(string peer, string id)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(peer + "/" + id, out var entry) && entry.Reply is null)
            {
                Remove(entry);
            }
        }
    }

    private void ForgetExpired()
    {
        var cutoff = clock.GetUtcNow() - limits.AnswerMemory;
        while (_byAge.First is { } oldest && oldest.Value.At < cutoff)
        {
            Remove(oldest.Value);
        }
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Key);
        _byAge.Remove(entry.AgeNode!);
        var own = _byPeer[entry.Peer];
        own.Remove(entry.PeerNode!);
        if (own.Count == 0)
        {
            _byPeer.Remove(entry.Peer);
        }

        _bytes -= entry.Reply?.Length ?? 0;
    }

    private sealed class Entry(string key, string peer, DateTimeOffset at)
    {
        public string Key { get; } = key;

        public string Peer { get; } = peer;

        public DateTimeOffset At { get; } = at;

        public byte[]? Reply { get; set; }

        public LinkedListNode<Entry>? AgeNode { get; set; }

        public LinkedListNode<Entry>? PeerNode { get; set; }
    }
}
