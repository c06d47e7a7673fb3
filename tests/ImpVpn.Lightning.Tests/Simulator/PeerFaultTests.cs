using Google.Protobuf;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>The peer faults: LND's restricted inbound slots, dropped links and their redial, flapping links.</summary>
public sealed class PeerFaultTests
{
    [Fact]
    public async Task Beyond_the_restricted_slots_an_inbound_peer_without_a_channel_is_let_go_as_lnd_does()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob", "carol", "dave");
        await net.Simulation.OpenChannelAsync("dave", "alice", 100_000);
        net["alice"].RestrictedPeerSlots = 1;
        using var alice = RawLnd.Connect(net["alice"]);
        using var bob = RawLnd.Connect(net["bob"]);
        using var carol = RawLnd.Connect(net["carol"]);

        await bob.Lightning.ConnectPeerAsync(Dial(net["alice"]));
        // LND's listener closes the connection after the handshake: the dialler's ConnectPeer has already succeeded.
        var refused = await carol.Lightning.ConnectPeerAsync(Dial(net["alice"]));

        Assert.Contains("initiated", refused.Status);
        var peers = (await alice.Lightning.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PubKey).ToList();
        Assert.Contains(net["bob"].PubKey, peers);
        Assert.Contains(net["dave"].PubKey, peers);
        Assert.DoesNotContain(net["carol"].PubKey, peers);
        Assert.Empty((await carol.Lightning.ListPeersAsync(new ListPeersRequest())).Peers);
        var send = await Assert.ThrowsAsync<RpcException>(async () => await carol.Lightning.SendCustomMessageAsync(Message(net["alice"].PubKey)));
        Assert.Equal(StatusCode.NotFound, send.StatusCode);
    }

    [Fact]
    public async Task A_dropped_link_to_a_channel_peer_is_redialled_and_one_without_a_channel_stays_down()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob", "carol");
        await net.Simulation.OpenChannelAsync("alice", "bob", 100_000);
        net.Simulation.Connect("alice", "carol");
        net.Simulation.Network.PersistentReconnectDelay = TimeSpan.FromMilliseconds(50);
        var seenDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        net.Simulation.Network.RedialsHeldUntil = seenDown.Task;
        var restored = new TaskCompletionSource<(string, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        net.Simulation.Network.LinkRestored += (a, b) => restored.TrySetResult((a, b));
        using var alice = RawLnd.Connect(net["alice"]);

        Assert.True(net["alice"].DropLinkTo("bob"));
        Assert.True(net["alice"].DropLinkTo("carol"));

        var whileDown = await Assert.ThrowsAsync<RpcException>(async () => await alice.Lightning.SendCustomMessageAsync(Message(net["bob"].PubKey)));
        Assert.Equal(StatusCode.NotFound, whileDown.StatusCode);
        seenDown.SetResult();
        Assert.Equal(("alice", "bob"), await restored.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        await alice.Lightning.SendCustomMessageAsync(Message(net["bob"].PubKey));
        var peers = (await alice.Lightning.ListPeersAsync(new ListPeersRequest())).Peers;
        var bob = Assert.Single(peers);
        Assert.Equal(net["bob"].PubKey, bob.PubKey);
        Assert.Equal(1, bob.FlapCount);
        Assert.True(bob.LastFlapNs > 0);
        Assert.False(net["alice"].DropLinkTo("carol"));
    }

    [Fact]
    public async Task A_flapping_link_drops_the_given_number_of_times_and_stops_linked()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        net.Simulation.Connect("alice", "bob");
        using var alice = RawLnd.Connect(net["alice"]);

        await net["alice"].FlapLinkToAsync("bob", TimeSpan.FromMilliseconds(20), times: 3).WaitAsync(TimeSpan.FromSeconds(30));

        var bob = Assert.Single((await alice.Lightning.ListPeersAsync(new ListPeersRequest())).Peers);
        Assert.Equal(3, bob.FlapCount);
        await alice.Lightning.SendCustomMessageAsync(Message(net["bob"].PubKey));
    }

    [Fact]
    public async Task The_next_messages_take_their_link_down_and_then_messages_flow_again()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        await net.Simulation.OpenChannelAsync("alice", "bob", 100_000);
        net.Simulation.Network.PersistentReconnectDelay = TimeSpan.FromMilliseconds(50);
        var seenDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        net.Simulation.Network.RedialsHeldUntil = seenDown.Task;
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        net.Simulation.Network.LinkRestored += (_, _) => restored.TrySetResult();
        using var alice = RawLnd.Connect(net["alice"]);
        net["alice"].DropLinkOnNextMessages(1);

        // The lost message was queued before the link went: LND told the sender it was sent.
        await alice.Lightning.SendCustomMessageAsync(Message(net["bob"].PubKey));

        Assert.Empty((await alice.Lightning.ListPeersAsync(new ListPeersRequest())).Peers);
        seenDown.SetResult();
        await restored.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await alice.Lightning.SendCustomMessageAsync(Message(net["bob"].PubKey));
        Assert.Single((await alice.Lightning.ListPeersAsync(new ListPeersRequest())).Peers);
    }

    private static ConnectPeerRequest Dial(ImpVpn.LndSim.Hosting.SimNode node) =>
        new() { Addr = new LightningAddress { Pubkey = node.PubKey, Host = node.P2pAddress } };

    private static SendCustomMessageRequest Message(string peer) => new()
    {
        Peer = ByteString.CopyFrom(Convert.FromHexString(peer)),
        Type = 32768,
        Data = ByteString.CopyFromUtf8("ping"),
    };
}
