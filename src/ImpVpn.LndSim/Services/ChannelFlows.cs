using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>
/// Satoshis sent and received over channels, which LND counts per channel as payments settle. The simulator
/// keeps no such counters, so it derives them from the balances: what moved away from the opening balance is
/// the net flow (a payment out and one back in cancel out here, where LND would count both).
/// </summary>
public static class ChannelFlows
{
    public static (long SentSat, long ReceivedSat) Of(SimChannel channel, string node)
    {
        var openingMsat = channel.NodeA == node ? (channel.CapacitySat - channel.PushSat) * 1000 : channel.PushSat * 1000;
        var netOutMsat = openingMsat - channel.LocalMsat(node);
        return netOutMsat >= 0 ? (netOutMsat / 1000, 0) : (0, -netOutMsat / 1000);
    }

    public static (long SentSat, long ReceivedSat) Between(SimNetwork net, string node, string peer)
    {
        long sent = 0, received = 0;
        foreach (var channel in net.ChannelsOf(node).Where(c => c.Involves(peer)))
        {
            var (s, r) = net.Read(() => Of(channel, node));
            sent += s;
            received += r;
        }

        return (sent, received);
    }
}
