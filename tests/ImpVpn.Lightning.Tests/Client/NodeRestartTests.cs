using ImpVpn.Core.Lightning;

namespace ImpVpn.Lightning.Tests.Client;

/// <summary>LND restarts (an upgrade, a regenerated tls.cert): a client that has talked to it waits the restart out
/// instead of failing a purchase in the middle; one that never reached it is told at once.</summary>
public sealed class NodeRestartTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_call_made_while_the_node_restarts_is_answered_once_it_is_back()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        var alice = await net.ClientAsync("alice");
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        alice.NodeRestarting += () => refused.TrySetResult();
        await net["alice"].SetDownAsync(true);

        var call = alice.GetInfoAsync(None);
        // Back only once the call has met the refusal, so what is tested is the wait, not a race.
        await refused.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await net["alice"].SetDownAsync(false);

        Assert.Equal(net["alice"].PubKey, (await call).IdentityPubKey);
    }

    [Fact]
    public async Task A_node_that_never_answered_is_reported_unreachable_at_once()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        await net["alice"].SetDownAsync(true);

        var error = await Assert.ThrowsAsync<NodeUnreachableException>(() => net.ClientAsync("alice"));

        Assert.Contains(net["alice"].RpcAddress, error.Message);
    }
}
