using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>GetNodeInfo with every field LND fills (rpcserver.go GetNodeInfo, marshalNode, marshalDBEdge).</summary>
public static class NodeInfoAnswer
{
    /// <summary>LND's default time lock delta (chainreg DefaultBitcoinTimeLockDelta).</summary>
    private const uint TimeLockDelta = 80;

    /// <summary>LND's default minimum HTLC in a channel update, in msat.</summary>
    private const long MinHtlcMsat = 1000;

    public static NodeInfo For(SimNetwork net, SimNodeState node, SimNodeState observer, bool includeChannels)
    {
        var channels = net.ChannelsOf(node.Name);
        var info = new NodeInfo
        {
            Node = Node(net, node, observer),
            NumChannels = (uint)channels.Count,
            TotalCapacity = channels.Sum(c => c.CapacitySat),
        };
        if (includeChannels)
        {
            foreach (var channel in channels)
            {
                info.Channels.Add(Edge(net, channel));
            }
        }

        return info;
    }

    /// <summary>A node as <paramref name="observer"/>'s graph holds it: its announcement as gossip has brought it
    /// there (rpcserver.go marshalNode: addresses with their network, features by bit with LND's names).</summary>
    public static LightningNode Node(SimNetwork net, SimNodeState node, SimNodeState observer)
    {
        var announcement = net.AnnouncementSeenBy(node, observer);
        var answer = new LightningNode
        {
            LastUpdate = (uint)announcement.Timestamp.ToUnixTimeSeconds(),
            PubKey = node.PubKey,
            Alias = announcement.Alias,
            Color = announcement.Color,
        };
        answer.Addresses.Add(announcement.Addresses.Select(a => new NodeAddress { Network = "tcp", Addr = a }));
        answer.Features.Add(LndFeatures.Of(announcement.Features).ToDictionary());
        return answer;
    }

    /// <summary>A channel as the graph announces it, with both ends' policies (GetChanInfo answers this too).</summary>
    public static ChannelEdge Edge(SimNetwork net, SimChannel channel)
    {
        var a = net.Node(channel.NodeA);
        var b = net.Node(channel.NodeB);
        // In the graph node 1 is the one whose key sorts first (BOLT 7).
        var aFirst = string.CompareOrdinal(a.PubKey, b.PubKey) < 0;
        var (policyA, policyB) = net.Read(() => (channel.PolicyA, channel.PolicyB));
        var updated = (uint)channel.OpenedAt.ToUnixTimeSeconds();
        var edge = new ChannelEdge
        {
            ChannelId = channel.Id,
            ChanPoint = channel.ChannelPoint,
            Node1Pub = aFirst ? a.PubKey : b.PubKey,
            Node2Pub = aFirst ? b.PubKey : a.PubKey,
            Capacity = channel.CapacitySat,
            Node1Policy = Policy(aFirst ? policyA : policyB, channel.CapacitySat, updated),
            Node2Policy = Policy(aFirst ? policyB : policyA, channel.CapacitySat, updated),
        };
        // LND marks the edge's last_update deprecated (each policy has its own) yet still fills it.
#pragma warning disable CS0612
        edge.LastUpdate = updated;
#pragma warning restore CS0612
        return edge;
    }

    private static RoutingPolicy Policy(FeePolicy fees, long capacitySat, uint updated) => new()
    {
        TimeLockDelta = TimeLockDelta,
        MinHtlc = MinHtlcMsat,
        // LND announces max_htlc as the capacity less the 1% reserve.
        MaxHtlcMsat = (ulong)(capacitySat - (capacitySat / 100)) * 1000,
        FeeBaseMsat = fees.BaseMsat,
        FeeRateMilliMsat = fees.RatePpm,
        LastUpdate = updated,
    };
}
