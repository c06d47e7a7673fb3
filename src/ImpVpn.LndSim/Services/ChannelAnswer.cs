using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;
using LndChannel = ImpVpn.Lnd.Rpc.Lnrpc.Channel;

namespace ImpVpn.LndSim.Services;

/// <summary>ListChannels' Channel with every field LND fills (rpcserver.go createRPCOpenChannel), for an
/// anchor channel as LND opens by default.</summary>
public static class ChannelAnswer
{
    /// <summary>The anchor commitment's fee rate at the floor LND uses on an idle regtest chain (253 sat/kw).</summary>
    private const long FeePerKw = 253;

    /// <summary>Weight of an anchor commitment with both balances and both anchors and no HTLC, witness included.</summary>
    private const long CommitWeight = 1116;

    /// <summary>Each of the two anchor outputs holds 330 sat, paid with the fee by the channel's opener.</summary>
    private const long AnchorSat = 330;

    private const uint CsvDelay = 144;

    private const ulong DustLimitSat = 354;

    private const uint MaxAcceptedHtlcs = 483;

    public static ListChannelsResponse For(SimNetwork net, SimNodeState me, ListChannelsRequest request)
    {
        var response = new ListChannelsResponse();
        var onlyPeer = request.Peer.IsEmpty ? null : SimNodeState.Hex(request.Peer.ToByteArray());
        foreach (var channel in net.ChannelsOf(me.Name))
        {
            var other = net.Node(channel.Other(me.Name));
            var active = net.Read(() => me.Peers.Contains(other.Name)) && !other.IsDown;
            if ((request.ActiveOnly && !active) || (request.InactiveOnly && active) || (request.PrivateOnly && !channel.IsPrivate)
                || (request.PublicOnly && channel.IsPrivate) ||
                (onlyPeer is not null && onlyPeer != other.PubKey))
            {
                continue;
            }

            response.Channels.Add(Describe(net, me, channel, other, active, request.PeerAliasLookup));
        }

        return response;
    }

    private static LndChannel Describe(SimNetwork net, SimNodeState me, SimChannel channel, SimNodeState other, bool active, bool aliasLookup)
    {
        var (localMsat, remoteMsat) = net.Read(() => (channel.LocalMsat(me.Name), channel.LocalMsat(other.Name)));
        var (sent, received) = net.Read(() => ChannelFlows.Of(channel, me.Name));
        var link = net.LinkSnapshot(me.Name, other.Name);
        var now = DateTimeOffset.UtcNow;
        var lifetime = now - channel.OpenedAt;
        var uptime = link.Up ? TimeSpan.FromTicks(Math.Min(lifetime.Ticks, (now - link.ConnectedAt).Ticks)) : TimeSpan.Zero;
        var initiator = channel.NodeA == me.Name;
        var answer = new LndChannel
        {
            Active = active,
            RemotePubkey = other.PubKey,
            ChannelPoint = channel.ChannelPoint,
            ChanId = channel.Id,
            Capacity = channel.CapacitySat,
            LocalBalance = localMsat / 1000,
            RemoteBalance = remoteMsat / 1000,
            // The fee and anchors come out of the opener's side on chain; the simulator's balances leave them in.
            CommitFee = (CommitWeight * FeePerKw / 1000) + (2 * AnchorSat),
            CommitWeight = CommitWeight,
            FeePerKw = FeePerKw,
            TotalSatoshisSent = sent,
            TotalSatoshisReceived = received,
            Private = channel.IsPrivate,
            Initiator = initiator,
            ChanStatusFlags = "ChanStatusDefault",
            CommitmentType = CommitmentType.Anchors,
            Lifetime = (long)lifetime.TotalSeconds,
            Uptime = (long)uptime.TotalSeconds,
            // Both ends see the same push: the opener gave it, the other received it as its opening balance.
            PushAmountSat = (ulong)channel.PushSat,
            LocalConstraints = Constraints(channel.CapacitySat),
            RemoteConstraints = Constraints(channel.CapacitySat),
            PeerAlias = aliasLookup ? other.Name : string.Empty,
        };
        // LND marks these deprecated (moved into the constraints) yet still fills them, so the simulator does too.
#pragma warning disable CS0612
        answer.CsvDelay = CsvDelay;
        answer.LocalChanReserveSat = ReserveSat(channel.CapacitySat);
        answer.RemoteChanReserveSat = ReserveSat(channel.CapacitySat);
        answer.StaticRemoteKey = false;
#pragma warning restore CS0612
        return answer;
    }

    /// <summary>LND's defaults: reserve 1% of capacity (never under the dust limit), 483 HTLCs, 1 msat minimum,
    /// everything above the reserve allowed in flight.</summary>
    private static ChannelConstraints Constraints(long capacitySat) => new()
    {
        CsvDelay = CsvDelay,
        ChanReserveSat = (ulong)ReserveSat(capacitySat),
        DustLimitSat = DustLimitSat,
        MaxPendingAmtMsat = (ulong)((capacitySat - ReserveSat(capacitySat)) * 1000),
        MinHtlcMsat = 1,
        MaxAcceptedHtlcs = MaxAcceptedHtlcs,
    };

    private static long ReserveSat(long capacitySat) => Math.Max(capacitySat / 100, (long)DustLimitSat);
}
