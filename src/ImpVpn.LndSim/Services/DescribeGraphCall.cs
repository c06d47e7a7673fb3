using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>DescribeGraph as LND answers it (rpcserver.go): every node of this node's graph, each as its
/// announcement has reached this node (alias, colour, addresses, features by bit), and every announced channel;
/// with <c>include_unannounced</c> this node's private channels too. The graph holds this node itself and the nodes
/// with a public channel (LND keeps no announcement of a node without one).</summary>
public sealed partial class LightningService
{
    public override Task<ChannelGraph> DescribeGraph(ChannelGraphRequest request, ServerCallContext context)
    {
        var graph = new ChannelGraph();
        foreach (var node in Net.Nodes)
        {
            if (ReferenceEquals(node, Me) || InGraph(node.PubKey) is not null)
            {
                graph.Nodes.Add(NodeInfoAnswer.Node(Net, node, Me));
            }
        }

        var channels = Net.Read(() => Net.ChannelList.ToList());
        foreach (var channel in channels)
        {
            if (!channel.IsPrivate || (request.IncludeUnannounced && channel.Involves(Me.Name)))
            {
                graph.Edges.Add(NodeInfoAnswer.Edge(Net, channel));
            }
        }

        return Task.FromResult(graph);
    }
}
