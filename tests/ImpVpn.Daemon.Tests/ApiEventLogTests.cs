
namespace ImpVpn.Daemon.Tests;

/// <summary>The API's event log: numbered in order, kept owner-only in the store and read back by the next daemon
/// (numbers go on), bounded, and a subscriber gets the kept ones then the new ones, none missed or repeated.</summary>
public sealed class ApiEventLogTests : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("dmn-api-events-").FullName;

    [Fact]
    public void Events_survive_a_restart_and_their_numbers_go_on()
    {
        var log = new ApiEventLog(_store);
        log.Append(new ApiEvent { Kind = ApiEvent.QuoteReceived, Id = "a", Nonce = "n1", PriceSat = 10 });
        log.Append(new ApiEvent { Kind = ApiEvent.Failed, Id = "b", Error = "no route" });
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_store, "api-events.json")));

        var again = new ApiEventLog(_store);
        Assert.Equal([1UL, 2UL], again.Since(0).Select(e => e.Sequence));
        Assert.Equal("n1", again.Since(0)[0].Nonce);
        Assert.Equal(3UL, again.Append(new ApiEvent { Kind = ApiEvent.Expired }).Sequence);
        Assert.Equal(["b"], again.Since(2).Take(1).Select(e => e.Id));
    }

    [Fact]
    public void Only_the_newest_are_kept()
    {
        var log = new ApiEventLog(_store);
        for (var i = 0; i < ApiEventLog.Capacity + 5; i++)
        {
            log.Append(new ApiEvent { Kind = ApiEvent.Expired });
        }

        var kept = log.Since(0);
        Assert.Equal(ApiEventLog.Capacity, kept.Count);
        Assert.Equal(6UL, kept[0].Sequence);
        Assert.Equal((ulong)ApiEventLog.Capacity + 5, log.LastSequence);
    }

    [Fact]
    public async Task A_subscriber_gets_the_kept_events_then_the_new_ones_in_order()
    {
        var log = new ApiEventLog(_store);
        log.Append(new ApiEvent { Kind = ApiEvent.QuoteReceived, Id = "1" });
        log.Append(new ApiEvent { Kind = ApiEvent.QuoteReceived, Id = "2" });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        await using var reading = log.SubscribeAsync(2, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await reading.MoveNextAsync());
        seen.Add(reading.Current.Id);
        log.Append(new ApiEvent { Kind = ApiEvent.ContractPaid, Id = "3" });
        Assert.True(await reading.MoveNextAsync());
        seen.Add(reading.Current.Id);
        Assert.Equal(["2", "3"], seen);
    }

    [Fact]
    public void An_unreadable_log_is_moved_aside_and_the_log_starts_empty()
    {
        File.WriteAllText(Path.Combine(_store, "api-events.json"), "{\"Events\": [ {\"Kind\": ");
        var log = new ApiEventLog(_store);
        Assert.Empty(log.Since(0));
        Assert.Single(Directory.GetFiles(_store, "api-events.json.unreadable-*"));
    }

    [Fact]
    public void After_an_unreadable_log_numbers_go_on_above_any_issued_before()
    {
        // A log that had issued many numbers, then lost: a client resuming from one of them must still see new events.
        var log = new ApiEventLog(_store);
        for (var i = 0; i < 50; i++)
        {
            log.Append(new ApiEvent { Kind = ApiEvent.Expired });
        }

        var seen = log.LastSequence;
        File.WriteAllText(Path.Combine(_store, "api-events.json"), "{\"Events\": [ {\"Kind\": ");
        var again = new ApiEventLog(_store);
        var next = again.Append(new ApiEvent { Kind = ApiEvent.Expired, Id = "after" });
        Assert.True(next.Sequence > seen, $"{next.Sequence} must be above {seen}");
        Assert.Equal(["after"], again.Since(seen + 1).Select(e => e.Id));

        // And above what the restarted numbering itself issued, when the file is lost a second time.
        File.WriteAllText(Path.Combine(_store, "api-events.json"), "not json");
        Assert.True(new ApiEventLog(_store).Append(new ApiEvent { Kind = ApiEvent.Expired }).Sequence > next.Sequence);
    }

    [Fact]
    public async Task A_subscriber_gets_an_event_the_store_could_not_save()
    {
        var log = new ApiEventLog(_store);
        log.Append(new ApiEvent { Kind = ApiEvent.QuoteReceived, Id = "1" });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var reading = log.SubscribeAsync(log.LastSequence + 1, stop.Token).GetAsyncEnumerator(stop.Token);
        var next = reading.MoveNextAsync();

        // The log's file replaced by a folder: the save's rename fails.
        var path = Path.Combine(_store, "api-events.json");
        File.Delete(path);
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<IOException>(() => log.Append(new ApiEvent { Kind = ApiEvent.ContractPaid, Id = "paid" }));

        Assert.True(await next);
        Assert.Equal("paid", reading.Current.Id);
        Assert.Equal(["paid"], log.Since(2).Select(e => e.Id));
    }

    public void Dispose() => Directory.Delete(_store, recursive: true);
}
