using Grpc.Core;
using ImpVpn.Lnd.Rpc.Peersrpc;

namespace ImpVpn.LndSim.Services;

/// <summary>peersrpc.Peers for one simulated node (LND builds it into its release binaries). Its one method needs
/// the macaroon permission peers:write in LND; the simulator's admin.macaroon, like LND's, has it.</summary>
public sealed class PeersService(NodeContext nodeContext) : Peers.PeersBase
{
    public override Task<NodeAnnouncementUpdateResponse> UpdateNodeAnnouncement(NodeAnnouncementUpdateRequest request, ServerCallContext context)
    {
        var net = nodeContext.Network;
        var me = nodeContext.Node;
        NodeAnnouncementUpdateResponse? answer = null;
        // Checked and applied under the network's lock, so two updates at once cannot both pass on the same version.
        net.Announce(me, current =>
        {
            (var next, answer) = NodeAnnouncementUpdate.Apply(current, request);
            return next;
        });
        return Task.FromResult(answer!);
    }
}
