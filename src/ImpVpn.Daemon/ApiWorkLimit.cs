using Grpc.Core;

namespace ImpVpn.Daemon;

/// <summary>
/// How much background work the API's calls may have under way at once. Each call returns an id at once and its work
/// runs on: without a bound, a token holder could start unboundedly many node calls, peer exchanges and tasks. A call
/// past the bound is refused before it returns an id (ResourceExhausted), with nothing asked or paid; it never waits,
/// since a client waiting on a call that waits on others' work is what the bound is there to prevent.
/// </summary>
internal sealed class ApiWorkLimit(int most = ApiWorkLimit.DefaultMost)
{
    public const int DefaultMost = 16;

    private int _underWay;

    public int Most { get; } = most;

    /// <summary>One slot, given back by disposing the result once the work has ended (or did not start).</summary>
    public IDisposable Take()
    {
        if (Interlocked.Increment(ref _underWay) > Most)
        {
            Interlocked.Decrement(ref _underWay);
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"{Most} quotes, purchases or refreshes are under way; call again once their events have come. Nothing was asked or paid."));
        }

        return new Slot(this);
    }

    private sealed class Slot(ApiWorkLimit limit) : IDisposable
    {
        private int _given;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _given, 1) == 0)
            {
                Interlocked.Decrement(ref limit._underWay);
            }
        }
    }
}
