using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.Lnd.Rpc.Peersrpc;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>Node announcements as LND keeps and gossips them: peersrpc.UpdateNodeAnnouncement with LND's rules and
/// refusals, the node's own view at once, the others' only after gossip, and DescribeGraph/GetNodeInfo features
/// as LND reports them (by bit, LND's name or "unknown", required when even, known or not).</summary>
public sealed class NodeAnnouncementTests
{
    private const uint Custom = 1151;

    private static NodeAnnouncementUpdateRequest Features(params (UpdateAction Action, uint Bit)[] updates)
    {
        var request = new NodeAnnouncementUpdateRequest();
        request.FeatureUpdates.Add(updates.Select(u => new UpdateFeatureAction { Action = u.Action, FeatureBit = (FeatureBit)(int)u.Bit }));
        return request;
    }

    private static async Task<TestNetwork> GraphAsync()
    {
        var net = await TestNetwork.StartAsync("alice", "bob", "carol");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        await net.Simulation.OpenChannelAsync("bob", "carol", 1_000_000);
        return net;
    }

    [Fact]
    public async Task A_custom_bit_is_the_nodes_own_at_once_and_others_only_after_gossip()
    {
        await using var net = await GraphAsync();
        using var alice = RawLnd.Connect(net["alice"]);
        using var bob = RawLnd.Connect(net["bob"]);

        var answer = await alice.Peers.UpdateNodeAnnouncementAsync(Features((UpdateAction.Add, Custom)));

        // LND names the bit from lnwire.Features, where an unknown bit has no name.
        var op = Assert.Single(answer.Ops);
        Assert.Equal("features", op.Entity);
        Assert.Equal(" set", Assert.Single(op.Actions));
        var own = (await alice.Lightning.GetInfoAsync(new GetInfoRequest())).Features[Custom];
        Assert.Equal("unknown", own.Name);
        Assert.False(own.IsRequired);
        Assert.False(own.IsKnown);
        var selfInGraph = (await alice.Lightning.DescribeGraphAsync(new ChannelGraphRequest())).Nodes.Single(n => n.PubKey == net["alice"].PubKey);
        Assert.Contains(Custom, selfInGraph.Features.Keys);
        // Gossip takes LND's trickle delay (90 s by default): bob's graph does not have it yet.
        var seenByBob = (await bob.Lightning.DescribeGraphAsync(new ChannelGraphRequest())).Nodes.Single(n => n.PubKey == net["alice"].PubKey);
        Assert.DoesNotContain(Custom, seenByBob.Features.Keys);
        Assert.DoesNotContain(Custom, (await bob.Lightning.GetNodeInfoAsync(new NodeInfoRequest { PubKey = net["alice"].PubKey })).Node.Features.Keys);
    }

    [Fact]
    public async Task Gossip_brings_an_added_bit_to_the_others_graphs_and_then_its_removal()
    {
        await using var net = await GraphAsync();
        net.Simulation.Network.GossipDelay = TimeSpan.FromMilliseconds(300);
        using var alice = RawLnd.Connect(net["alice"]);
        using var carol = RawLnd.Connect(net["carol"]);

        await alice.Peers.UpdateNodeAnnouncementAsync(Features((UpdateAction.Add, Custom)));
        var node = await WaitForAsync(carol, net["alice"].PubKey, n => n.Features.ContainsKey(Custom));

        var feature = node.Features[Custom];
        Assert.Equal(("unknown", false, false), (feature.Name, feature.IsRequired, feature.IsKnown));
        Assert.Equal("onion-messages", node.Features[39].Name);
        Assert.True(node.Features[39].IsKnown);
        Assert.Equal("alice", node.Alias);
        Assert.Equal("tcp", Assert.Single(node.Addresses).Network);
        var info = await carol.Lightning.GetNodeInfoAsync(new NodeInfoRequest { PubKey = net["alice"].PubKey });
        Assert.Contains(Custom, info.Node.Features.Keys);

        var removed = await alice.Peers.UpdateNodeAnnouncementAsync(Features((UpdateAction.Remove, Custom)));

        Assert.Equal(" unset", Assert.Single(Assert.Single(removed.Ops).Actions));
        var later = await WaitForAsync(carol, net["alice"].PubKey, n => !n.Features.ContainsKey(Custom));
        Assert.True(later.LastUpdate > node.LastUpdate);
    }

    [Fact]
    public async Task LND_refuses_what_it_refuses_and_applies_nothing_of_a_refused_request()
    {
        await using var net = await GraphAsync();
        using var alice = RawLnd.Connect(net["alice"]);
        await alice.Peers.UpdateNodeAnnouncementAsync(Features((UpdateAction.Add, Custom)));

        async Task<string> Refused(NodeAnnouncementUpdateRequest request)
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await alice.Peers.UpdateNodeAnnouncementAsync(request));
            Assert.Equal(StatusCode.Unknown, e.StatusCode);
            return e.Status.Detail;
        }

        Assert.Contains("invalid add action for bit 1151, bit is already set", await Refused(Features((UpdateAction.Add, Custom))));
        Assert.Contains("invalid remove action for bit 1153, bit is already unset", await Refused(Features((UpdateAction.Remove, 1153))));
        // Its pair (the required bit of the same feature) is refused while the optional one is set.
        Assert.Contains("feature pair exists", await Refused(Features((UpdateAction.Add, 1150))));
        // Bits LND knows are its own: neither set nor unset through peersrpc. Go prints a known enum by its name.
        Assert.Contains("can't set feature bit 47 (scid-alias): feature is used in standard protocol set", await Refused(Features((UpdateAction.Add, 47))));
        Assert.Contains("can't unset feature bit 39 (onion-messages)", await Refused(Features((UpdateAction.Remove, 39))));
        // A default LND does not announce keysend: removing it is "already unset" (FeatureBit names no 55).
        Assert.Contains("invalid remove action for bit 55, bit is already unset", await Refused(Features((UpdateAction.Remove, 55))));
        Assert.Contains("invalid remove action for bit TLV_ONION_OPT", await Refused(Features((UpdateAction.Remove, 9))));
        // Dependencies are checked first (peersrpc's ValidateDeps): payment-addr needs tlv-onion, named by its optional bit.
        Assert.Contains("invalid feature set (SetNodeAnn): missing feature dependency: 9", await Refused(Features((UpdateAction.Remove, 8))));
        Assert.Equal("unable to detect any new values to update the node announcement", await Refused(new NodeAnnouncementUpdateRequest()));
        Assert.Contains("alias too large: max is 32, got 33", await Refused(new NodeAnnouncementUpdateRequest { Alias = new string('a', 33) }));
        Assert.Contains("#RRGGBB", await Refused(new NodeAnnouncementUpdateRequest { Color = "blue" }));
        // A colour with a trailing new line is not a colour (Go's regexp has no "before a final new line").
        Assert.Contains("#RRGGBB", await Refused(new NodeAnnouncementUpdateRequest { Color = "#ff0000\n" }));
        // One good update and one refused in the same request: neither is applied.
        await Refused(Features((UpdateAction.Add, 1155), (UpdateAction.Add, Custom)));

        var features = (await alice.Lightning.GetInfoAsync(new GetInfoRequest())).Features;
        Assert.DoesNotContain(1155u, features.Keys);
        Assert.Contains(Custom, features.Keys);
        Assert.Contains(39u, features.Keys);
    }

    [Fact]
    public async Task Alias_and_colour_change_the_nodes_own_answers_at_once()
    {
        await using var net = await GraphAsync();
        using var alice = RawLnd.Connect(net["alice"]);

        var answer = await alice.Peers.UpdateNodeAnnouncementAsync(new NodeAnnouncementUpdateRequest { Alias = "exit-frankfurt", Color = "#ff0000" });

        Assert.Equal(["color", "alias"], answer.Ops.Select(o => o.Entity));
        Assert.Equal("changed to {255 0 0 0}", answer.Ops[0].Actions.Single());
        var info = await alice.Lightning.GetInfoAsync(new GetInfoRequest());
        Assert.Equal(("exit-frankfurt", "#ff0000"), (info.Alias, info.Color));
    }

    [Fact]
    public async Task A_restarted_node_forgets_bits_set_through_peersrpc_as_LND_does()
    {
        await using var net = await GraphAsync();
        using (var alice = RawLnd.Connect(net["alice"]))
        {
            await alice.Peers.UpdateNodeAnnouncementAsync(Features((UpdateAction.Add, Custom)));
        }

        await net["alice"].SetDownAsync(true);
        await net["alice"].SetDownAsync(false);

        using var again = RawLnd.Connect(net["alice"]);
        Assert.DoesNotContain(Custom, (await again.Lightning.GetInfoAsync(new GetInfoRequest())).Features.Keys);
    }

    [Fact]
    public async Task A_node_that_goes_down_keeps_its_bit_in_the_others_graphs_until_it_comes_back_and_announces_without_it()
    {
        await using var net = await GraphAsync();
        net.Simulation.Network.GossipDelay = TimeSpan.FromMilliseconds(300);
        using (var alice = RawLnd.Connect(net["alice"]))
        {
            await alice.Peers.UpdateNodeAnnouncementAsync(Features((UpdateAction.Add, Custom)));
        }

        using var carol = RawLnd.Connect(net["carol"]);
        await WaitForAsync(carol, net["alice"].PubKey, n => n.Features.ContainsKey(Custom));

        // A stopped LND broadcasts nothing: carol keeps what it had.
        await net["alice"].SetDownAsync(true);
        var whileDown = await carol.Lightning.GetNodeInfoAsync(new NodeInfoRequest { PubKey = net["alice"].PubKey });
        Assert.Contains(Custom, whileDown.Node.Features.Keys);

        // Back up, alice announces itself without the bit, and gossip carries that.
        await net["alice"].SetDownAsync(false);
        var later = await WaitForAsync(carol, net["alice"].PubKey, n => !n.Features.ContainsKey(Custom));
        Assert.True(later.LastUpdate > whileDown.Node.LastUpdate);
    }

    [Fact]
    public async Task The_client_sets_a_bit_once_or_twice_alike_and_lists_the_graph_with_features()
    {
        await using var net = await GraphAsync();
        net.Simulation.Network.GossipDelay = TimeSpan.FromMilliseconds(200);
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");

        await alice.SetAnnouncedFeatureAsync(Custom, advertise: true, CancellationToken.None);
        await alice.SetAnnouncedFeatureAsync(Custom, advertise: true, CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        ImpVpn.Core.Lightning.GraphNode? seen;
        while ((seen = (await bob.ListGraphNodesAsync(CancellationToken.None)).SingleOrDefault(n => n.PubKey == net["alice"].PubKey && n.FeatureBits.Contains(Custom))) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "bob's graph never showed alice's bit");
            await Task.Delay(50);
        }

        Assert.Equal("alice", seen.Alias);
        Assert.Equal(net["alice"].P2pAddress, Assert.Single(seen.Addresses));
        Assert.Equal(3, (await bob.ListGraphNodesAsync(CancellationToken.None)).Count);
        await alice.SetAnnouncedFeatureAsync(Custom, advertise: false, CancellationToken.None);
        await alice.SetAnnouncedFeatureAsync(Custom, advertise: false, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<ImpVpn.Core.Lightning.LightningRpcException>(() => alice.SetAnnouncedFeatureAsync(39, advertise: false, CancellationToken.None));
        Assert.Contains("onion-messages", refused.Message);
    }

    private static async Task<LightningNode> WaitForAsync(RawLnd observer, string pubKey, Func<LightningNode, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var node = (await observer.Lightning.DescribeGraphAsync(new ChannelGraphRequest())).Nodes.Single(n => n.PubKey == pubKey);
            if (condition(node))
            {
                return node;
            }

            Assert.True(DateTime.UtcNow < deadline, "the graph never showed the announcement");
            await Task.Delay(50);
        }
    }
}
