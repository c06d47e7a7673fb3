using System.Text.Json;
using System.Threading.Channels;
using ImpVpn.Core.Files;

namespace ImpVpn.Daemon;

/// <summary>
/// The API's events: numbered in order, the newest <see cref="Capacity"/> kept in the store (<c>api-events.json</c>,
/// owner-only, rewritten whole through a renamed temporary file) so that a client that was not listening, or a
/// daemon restarted, can still read what happened; and handed to each subscriber as they happen. A subscriber that
/// falls more than <see cref="SubscriberBuffer"/> events behind is cut off (its stream ends) rather than holding the
/// daemon's memory: it reads the rest with ListEvents. Subscribers get each event whether or not it could be saved:
/// a full disk must not hide a payment's outcome from the client listening for it.
/// </summary>
internal sealed class ApiEventLog
{
    public const int Capacity = 1000;
    public const int SubscriberBuffer = 256;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private readonly object _gate = new();
    private readonly string _path;
    private readonly LinkedList<ApiEvent> _events = new();
    private readonly List<Channel<ApiEvent>> _subscribers = [];
    private ulong _last;

    public ApiEventLog(string storePath)
    {
        _path = Path.Combine(storePath, "api-events.json");
        var (stored, unreadable) = Read(_path);
        if (unreadable)
        {
            // The numbers the lost file had issued are unknown, and a client resuming with since = N must not be
            // given new events under numbers it has already seen (it would skip them). Numbering starts again
            // above anything issued before: the microseconds since 1970 are past a log that counted from 1, and past
            // an earlier such restart's numbers unless it issued more than one event per microsecond since.
            _last = (ulong)((DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);
        }
        else if (stored is not null)
        {
            foreach (var kept in stored.Events.OrderBy(e => e.Sequence).TakeLast(Capacity))
            {
                _events.AddLast(kept);
            }

            _last = Math.Max(stored.LastSequence, _events.Last?.Value.Sequence ?? 0);
            ExpiryWatchedUntil = stored.ExpiryWatchedUntil;
        }
    }

    /// <summary>Until when expiries have been reported (<see cref="ApiExpiryWatch"/>), kept with the events so a
    /// restart reports each expiry once.</summary>
    public DateTimeOffset? ExpiryWatchedUntil { get; private set; }

    public ulong LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>Numbers the event, keeps it, hands it to the subscribers, then saves the log; a save that fails
    /// (<see cref="IOException"/>) is thrown after the subscribers have it, and the event stays in memory for the
    /// next save.</summary>
    public ApiEvent Append(ApiEvent happened) => AppendAll([happened])[0];

    /// <summary>Several events, and with them (<paramref name="watchedUntil"/>) how far expiries have been looked
    /// at, as one step: a failed save can leave neither the mark ahead of its events nor events after the first
    /// unreported.</summary>
    public IReadOnlyList<ApiEvent> AppendAll(IReadOnlyList<ApiEvent> happened, DateTimeOffset? watchedUntil = null)
    {
        ArgumentNullException.ThrowIfNull(happened);
        var numbered = new List<ApiEvent>(happened.Count);
        lock (_gate)
        {
            foreach (var one in happened)
            {
                var next = one with { Sequence = ++_last };
                numbered.Add(next);
                _events.AddLast(next);
            }

            while (_events.Count > Capacity)
            {
                _events.RemoveFirst();
            }

            if (watchedUntil is { } until)
            {
                ExpiryWatchedUntil = until;
            }

            foreach (var next in numbered)
            {
                Notify(next);
            }

            SaveLocked();
        }

        return numbered;
    }

    /// <param name="keep">write it to the store now, rather than with the next event.</param>
    public void WatchedExpiriesUntil(DateTimeOffset until, bool keep)
    {
        lock (_gate)
        {
            ExpiryWatchedUntil = until;
            if (keep)
            {
                SaveLocked();
            }
        }
    }

    /// <summary>The events kept with a sequence number of at least <paramref name="since"/>.</summary>
    public IReadOnlyList<ApiEvent> Since(ulong since) => Snapshot(since).Events;

    /// <summary>The events from <paramref name="since"/> on and the newest number, read together: a ListEvents
    /// answer whose last_sequence is past its newest event would make the client skip the one in between.</summary>
    public (IReadOnlyList<ApiEvent> Events, ulong LastSequence) Snapshot(ulong since)
    {
        lock (_gate)
        {
            return ([.. _events.Where(e => e.Sequence >= since)], _last);
        }
    }

    /// <summary>The events from <paramref name="since"/> on, then each new one until <paramref name="cancellationToken"/>
    /// ends the subscription. The kept ones and the subscription are taken under one lock, so none is missed or
    /// sent twice.</summary>
    public async IAsyncEnumerable<ApiEvent> SubscribeAsync(ulong since, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ApiEvent>(new BoundedChannelOptions(SubscriberBuffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        IReadOnlyList<ApiEvent> kept;
        lock (_gate)
        {
            kept = [.. _events.Where(e => e.Sequence >= since)];
            _subscribers.Add(channel);
        }

        try
        {
            foreach (var happened in kept)
            {
                yield return happened;
            }

            await foreach (var happened in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return happened;
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
        }
    }

    private void Notify(ApiEvent numbered)
    {
        foreach (var subscriber in _subscribers.ToList())
        {
            if (!subscriber.Writer.TryWrite(numbered))
            {
                subscriber.Writer.TryComplete();
                _subscribers.Remove(subscriber);
            }
        }
    }

    /// <summary>The kept events; a file that is not the log's JSON (cut short, edited) is moved aside and the log
    /// starts empty (Unreadable), rather than keeping the daemon from starting over its history.</summary>
    private static (Stored? Stored, bool Unreadable) Read(string path)
    {
        if (!File.Exists(path))
        {
            return (null, false);
        }

        try
        {
            return (JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), Json), false);
        }
        catch (JsonException)
        {
            File.Move(path, path + ".unreadable-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture), overwrite: true);
            return (null, true);
        }
    }

    private void SaveLocked() =>
        OwnerOnlyFile.WriteAllText(_path, JsonSerializer.Serialize(new Stored([.. _events], _last, ExpiryWatchedUntil), Json));

    private sealed record Stored(List<ApiEvent> Events, ulong LastSequence, DateTimeOffset? ExpiryWatchedUntil);
}
