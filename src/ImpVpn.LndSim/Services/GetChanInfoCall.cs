using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>GetChanInfo as LND answers it (rpcserver.go): one graph edge by chan_id or by chan_point, NotFound
/// "edge not found" for a channel the graph does not hold. Clients such as `lightning`'s getNode ask it for
/// each channel GetNodeInfo lists.</summary>
public sealed partial class LightningService
{
    public override Task<ChannelEdge> GetChanInfo(ChanInfoRequest request, ServerCallContext context)
    {
        Func<SimChannel, bool> matches;
        if (request.ChanId != 0)
        {
            matches = c => c.Id == request.ChanId;
        }
        else if (!string.IsNullOrEmpty(request.ChanPoint))
        {
            matches = c => c.ChannelPoint == request.ChanPoint;
        }
        else
        {
            throw SimErrors.Of(StatusCode.Unknown, "specify either chan_id or chan_point");
        }

        var channel = Net.Nodes.SelectMany(n => Net.ChannelsOf(n.Name)).FirstOrDefault(matches)
            ?? throw SimErrors.Of(StatusCode.NotFound, "edge not found");
        return Task.FromResult(NodeInfoAnswer.Edge(Net, channel));
    }
}
