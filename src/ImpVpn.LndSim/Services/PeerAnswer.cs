using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>ListPeers' Peer with every field LND fills (rpcserver.go ListPeers).</summary>
public static class PeerAnswer
{
    /// <summary>Round-trip time of the last ping in microseconds, as over loopback.</summary>
    private const long PingMicroseconds = 250;

    public static ListPeersResponse For(SimNetwork net, SimNodeState me)
    {
        var response = new ListPeersResponse();
        foreach (var name in net.Read(() => me.Peers.Order(StringComparer.Ordinal).ToList()))
        {
            var peer = net.Node(name);
            var link = net.LinkSnapshot(me.Name, name);
            var (sent, received) = ChannelFlows.Between(net, me.Name, name);
            var answer = new Peer
            {
                PubKey = peer.PubKey,
                Address = peer.P2pAddress,
                Inbound = link.Inbound,
                BytesSent = link.BytesSent,
                BytesRecv = link.BytesReceived,
                SatSent = sent,
                SatRecv = received,
                PingTime = PingMicroseconds,
                // LND's gossip syncer: the first peers are active syncers; the simulator has no gossip to share out.
                SyncType = Peer.Types.SyncType.ActiveSync,
                FlapCount = link.FlapCount,
                LastFlapNs = link.LastFlap is { } flap ? (flap - DateTimeOffset.UnixEpoch).Ticks * 100 : 0,
            };
            answer.Features.Add(LndFeatures.Init.ToDictionary());
            response.Peers.Add(answer);
        }

        return response;
    }
}
