using Grpc.Core;

namespace ImpVpn.Daemon.Tests;

/// <summary>The API's bound on background work: past it a call is refused (ResourceExhausted) at once, and a slot
/// given back (once, however often disposed) lets the next call in.</summary>
public sealed class ApiWorkLimitTests
{
    [Fact]
    public void Past_the_bound_a_call_is_refused_until_a_slot_is_given_back()
    {
        var limit = new ApiWorkLimit(2);
        var first = limit.Take();
        using var second = limit.Take();

        var refused = Assert.Throws<RpcException>(() => limit.Take());
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Nothing was asked or paid", refused.Status.Detail, StringComparison.Ordinal);

        first.Dispose();
        first.Dispose();
        using var third = limit.Take();
        Assert.Throws<RpcException>(() => limit.Take());
    }
}
