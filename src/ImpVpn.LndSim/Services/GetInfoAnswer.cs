using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>GetInfo with every field LND fills (rpcserver.go GetInfo).</summary>
public static class GetInfoAnswer
{
    /// <summary>LND's version string carries the build commit; the simulator names itself in it.</summary>
    public const string Version = "0.18.0-beta impvpn-simulator commit=v0.18.0-beta";

    /// <summary>LND's commit_hash is the full hash of the commit it was built from; the simulator has none, so a fixed one.</summary>
    public const string CommitHash = "0000000000000000000000000000000000000000";

    /// <summary>LND's default node colour (lncfg: color = #3399ff).</summary>
    public const string DefaultColor = NodeAnnouncement.DefaultColor;

    public static GetInfoResponse For(SimNetwork net, SimNodeState me)
    {
        var channels = net.ChannelsOf(me.Name);
        var (peers, active) = net.Read(() => (me.Peers.Count, channels.Count(c => me.Peers.Contains(c.Other(me.Name)))));
        var network = me.ReportedNetwork ?? net.Network;
        var announcement = net.OwnAnnouncement(me);
        var response = new GetInfoResponse
        {
            Version = Version,
            CommitHash = CommitHash,
            IdentityPubkey = me.PubKey,
            Alias = announcement.Alias,
            Color = announcement.Color,
            // Channels open at once here: none is ever pending.
            NumPendingChannels = 0,
            NumActiveChannels = (uint)active,
            NumInactiveChannels = (uint)(channels.Count - active),
            NumPeers = (uint)peers,
            BlockHeight = net.BlockHeight,
            BlockHash = SimChainTip.HashAt(net.BlockHeight),
            BestHeaderTimestamp = SimChainTip.HeaderTimestamp,
            SyncedToChain = me.SyncedToChain,
            SyncedToGraph = me.SyncedToChain,
            WalletSynced = me.SyncedToChain,
            GraphCacheStatus = GraphCacheStatus.Loaded,
        };
        // LND marks testnet and Chain.chain deprecated yet still fills them (rpcserver.go), so the simulator does too.
#pragma warning disable CS0612
        response.Testnet = network is "testnet" or "testnet4";
        response.Chains.Add(new Chain { Chain_ = "bitcoin", Network = network });
#pragma warning restore CS0612
        response.Uris.Add($"{me.PubKey}@{me.P2pAddress}");
        // As LND: the union of every feature set, the node announcement's as it stands now (bits set through
        // peersrpc included).
        var features = LndFeatures.All.ToDictionary();
        foreach (var (bit, feature) in LndFeatures.Of(announcement.Features))
        {
            features[bit] = feature;
        }

        response.Features.Add(features);
        return response;
    }
}
