using System.Text;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;

namespace ImpVpn.Lightning.Tests.Client;

public sealed class PeerAndMessageTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Peers_connect_by_graph_address_and_are_listed_on_both_sides()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob", "carol");
        // bob is announced (in the graph) because it has a channel, with carol, not with alice.
        await net.Simulation.OpenChannelAsync("bob", "carol", 100_000);
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");

        var graph = await alice.GetNodeInfoAsync(net["bob"].PubKey, None);
        Assert.NotNull(graph);
        Assert.Equal("bob", graph.Alias);
        await alice.ConnectPeerAsync(net["bob"].PubKey, Assert.Single(graph.Addresses), None);
        await alice.ConnectPeerAsync(net["bob"].PubKey, graph.Addresses[0], None);

        Assert.Contains(await alice.ListPeersAsync(None), p => p.PubKey == net["bob"].PubKey);
        Assert.Contains(await bob.ListPeersAsync(None), p => p.PubKey == net["alice"].PubKey);
        Assert.Null(await alice.GetNodeInfoAsync("02" + new string('1', 64), None));
    }

    [Fact]
    public async Task A_node_without_a_channel_is_not_in_the_graph_as_in_lnd()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        var alice = await net.ClientAsync("alice");

        Assert.Null(await alice.GetNodeInfoAsync(net["bob"].PubKey, None));
        await alice.ConnectPeerAsync(net["bob"].PubKey, net["bob"].P2pAddress, None);
        Assert.Contains(await alice.ListPeersAsync(None), p => p.PubKey == net["bob"].PubKey);
    }

    [Fact]
    public async Task Connecting_to_a_wrong_address_fails()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        var alice = await net.ClientAsync("alice");
        await Assert.ThrowsAsync<LightningRpcException>(() => alice.ConnectPeerAsync(net["bob"].PubKey, "127.0.0.1:1", None));
    }

    [Fact]
    public async Task Custom_messages_travel_both_ways_between_connected_peers()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        net.Simulation.Connect("alice", "bob");
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var bobInbox = FirstAsync(bob.SubscribeCustomMessagesAsync(stop.Token));
        var aliceInbox = FirstAsync(alice.SubscribeCustomMessagesAsync(stop.Token));
        await net.CustomMessageSubscriberAsync("bob");
        await net.CustomMessageSubscriberAsync("alice");
        await alice.SendCustomMessageAsync(net["bob"].PubKey, 40709, Encoding.UTF8.GetBytes("ping"), None);
        await bob.SendCustomMessageAsync(net["alice"].PubKey, 40711, Encoding.UTF8.GetBytes("pong"), None);

        var atBob = await bobInbox;
        var atAlice = await aliceInbox;
        Assert.Equal((net["alice"].PubKey, 40709u, "ping"), (atBob.PeerPubKey, atBob.Type, Encoding.UTF8.GetString(atBob.Data)));
        Assert.Equal((net["bob"].PubKey, 40711u, "pong"), (atAlice.PeerPubKey, atAlice.Type, Encoding.UTF8.GetString(atAlice.Data)));
    }

    [Fact]
    public async Task Custom_messages_to_unconnected_peers_low_types_and_oversize_payloads_are_refused()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob", "carol");
        net.Simulation.Connect("alice", "bob");
        var alice = await net.ClientAsync("alice");

        await Assert.ThrowsAsync<PeerNotConnectedException>(() => alice.SendCustomMessageAsync(net["carol"].PubKey, 40709, new byte[] { 1 }, None));
        await Assert.ThrowsAsync<LightningRpcException>(() => alice.SendCustomMessageAsync(net["bob"].PubKey, 100, new byte[] { 1 }, None));
        await Assert.ThrowsAsync<LightningRpcException>(() => alice.SendCustomMessageAsync(net["bob"].PubKey, 40709, new byte[65534], None));
    }

    [Fact]
    public async Task Dropped_custom_messages_never_arrive()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        net.Simulation.Connect("alice", "bob");
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");
        using var stop = new CancellationTokenSource();
        var inbox = FirstAsync(bob.SubscribeCustomMessagesAsync(stop.Token));
        await net.CustomMessageSubscriberAsync("bob");

        net["alice"].DropCustomMessages = true;
        await alice.SendCustomMessageAsync(net["bob"].PubKey, 40709, "lost"u8.ToArray(), None);
        net["alice"].DropCustomMessages = false;
        await alice.SendCustomMessageAsync(net["bob"].PubKey, 40709, "kept"u8.ToArray(), None);

        Assert.Equal("kept", Encoding.UTF8.GetString((await inbox.WaitAsync(TimeSpan.FromSeconds(20))).Data));
    }

    [Fact]
    public async Task A_cancelled_subscription_ends_quietly()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        var alice = await net.ClientAsync("alice");
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var received = 0;

        await foreach (var _ in alice.SubscribeCustomMessagesAsync(stop.Token))
        {
            received++;
        }

        await foreach (var _ in alice.SubscribeInvoicesAsync(new CancellationTokenSource(TimeSpan.FromMilliseconds(300)).Token))
        {
            received++;
        }

        Assert.Equal(0, received);
        Assert.Equal(net["alice"].PubKey, (await alice.GetInfoAsync(None)).IdentityPubKey);
    }

    [Fact]
    public async Task A_signed_message_verifies_as_its_signer()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");
        var message = "impvpn contract terms"u8.ToArray();

        var signature = await alice.SignMessageAsync(message, None);
        // LND calls a signature valid only when the signer is in its graph: alice is not, until she has a channel.
        var beforeChannel = await bob.VerifyMessageAsync(message, signature, None);
        await net.Simulation.OpenChannelAsync("alice", "bob", 100_000);
        var check = await bob.VerifyMessageAsync(message, signature, None);
        var tampered = await bob.VerifyMessageAsync("impvpn contract termz"u8.ToArray(), signature, None);

        Assert.False(beforeChannel.Valid);
        Assert.Equal(net["alice"].PubKey, beforeChannel.PubKey);
        Assert.True(check.Valid);
        Assert.Equal(net["alice"].PubKey, check.PubKey);
        Assert.NotEqual(net["alice"].PubKey, tampered.PubKey);
    }

    private static async Task<CustomMessage> FirstAsync(IAsyncEnumerable<CustomMessage> messages)
    {
        await foreach (var message in messages)
        {
            return message;
        }

        throw new InvalidOperationException("The stream ended without a message.");
    }

    [Fact]
    public async Task Messages_lost_to_one_peer_never_arrive_while_the_link_stays_up()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        net.Simulation.Connect("alice", "bob");
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");
        using var stop = new CancellationTokenSource();
        var inbox = FirstAsync(bob.SubscribeCustomMessagesAsync(stop.Token));
        await net.CustomMessageSubscriberAsync("bob");

        net["alice"].LoseNextMessagesTo("bob", 1);
        await alice.SendCustomMessageAsync(net["bob"].PubKey, 40709, "lost"u8.ToArray(), None);
        await alice.SendCustomMessageAsync(net["bob"].PubKey, 40709, "kept"u8.ToArray(), None);

        Assert.Equal("kept", Encoding.UTF8.GetString((await inbox.WaitAsync(TimeSpan.FromSeconds(20))).Data));
        Assert.Contains(await alice.ListPeersAsync(None), p => p.PubKey == net["bob"].PubKey);
        Assert.Equal(0, net.Simulation.Network.MessagesLeftToLose("alice", "bob"));
    }
}
