using ImpVpn.Core.Lightning;

namespace ImpVpn.Lightning.Tests.Client;

/// <summary>Router.EstimateRouteFee where the node does not offer it, and ListChannels with its private flag.</summary>
public sealed class RouteProbeAndChannelTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_node_without_route_fee_estimation_says_so_with_its_own_exception()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        var alice = await net.ClientAsync("alice");
        net["alice"].RouteFeeEstimationUnavailable = true;

        // Unimplemented, as an LND without routerrpc's EstimateRouteFee answers.
        var error = await Assert.ThrowsAsync<RouteProbeUnavailableException>(() =>
            alice.EstimateRouteFeeAsync(RouteFeeQuery.ForDestination(net["bob"].PubKey, 1_000), None));
        Assert.Contains("EstimateRouteFee", error.Message);
    }

    [Fact]
    public async Task Channels_are_listed_with_their_peer_and_whether_they_are_private()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        var alice = await net.ClientAsync("alice");

        var channel = Assert.Single(await alice.ListChannelsAsync(None));

        Assert.Equal(net["bob"].PubKey, channel.RemotePubKey);
        Assert.True(channel.Active);
        Assert.False(channel.Private);
        Assert.Equal(1_000_000, channel.CapacitySat);
    }
}
