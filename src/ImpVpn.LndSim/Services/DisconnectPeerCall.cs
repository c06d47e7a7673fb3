using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.LndSim.Services;

/// <summary>DisconnectPeer as LND answers it (rpcserver.go): refused while a channel is open with the peer.</summary>
public sealed partial class LightningService
{
    public override Task<DisconnectPeerResponse> DisconnectPeer(DisconnectPeerRequest request, ServerCallContext context)
    {
        Net.Disconnect(Me.Name, request.PubKey);
        return Task.FromResult(new DisconnectPeerResponse { Status = "disconnect initiated" });
    }
}
