using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Crypto;

namespace ImpVpn.LndSim.Network;

/// <summary>Route hints both ways: the ones a payee puts in its invoice so payers can reach it over its private
/// channels, and the payer's reading of them for its last hop.</summary>
internal static class RouteHints
{
    /// <summary>As LND's AddInvoice with private set: one single-hop hint per private channel whose peer is up, each
    /// with the peer's policy towards the payee (the peer is the one forwarding the last hop). None without
    /// private set, nor when the payee has no private channel.</summary>
    public static List<Bolt11HopHint> ForInvoice(IEnumerable<SimChannel> channels, string payee, Func<string, SimNodeState> node) =>
        channels.Where(c => c.IsPrivate && c.Involves(payee) && !node(c.Other(payee)).IsDown)
            .Select(c =>
            {
                var peer = c.Other(payee);
                var policy = c.PolicyOf(peer);
                return new Bolt11HopHint(node(peer).Key.PublicKey, c.Id, (uint)policy.BaseMsat, (uint)policy.RatePpm, (ushort)policy.TimeLockDelta);
            })
            .ToList();

    public static RouteHint ToProto(IReadOnlyList<Bolt11HopHint> hops)
    {
        var hint = new RouteHint();
        hint.HopHints.Add(hops.Select(h => new HopHint
        {
            NodeId = Convert.ToHexString(h.NodeId).ToLowerInvariant(),
            ChanId = h.ChannelId,
            FeeBaseMsat = h.FeeBaseMsat,
            FeeProportionalMillionths = h.FeeProportionalMillionths,
            CltvExpiryDelta = h.CltvExpiryDelta,
        }));
        return hint;
    }

    public static List<IReadOnlyList<Bolt11HopHint>> FromProto(IEnumerable<RouteHint> hints) =>
        hints.Select(IReadOnlyList<Bolt11HopHint> (hint) => hint.HopHints
            .Select(h => new Bolt11HopHint(Convert.FromHexString(h.NodeId), h.ChanId, h.FeeBaseMsat, h.FeeProportionalMillionths, (ushort)h.CltvExpiryDelta))
            .ToList())
            .ToList();

    /// <summary>The hints' hops whose forwarding node is in the simulation, as the route finder uses them.</summary>
    public static List<HintHop> Resolve(IEnumerable<IReadOnlyList<Bolt11HopHint>> hints, Func<byte[], SimNodeState?> byPubKey) =>
        hints.SelectMany(h => h)
            .Select(h => (Hop: h, Node: byPubKey(h.NodeId)))
            .Where(x => x.Node is not null)
            .Select(x => new HintHop(x.Node!.Name, x.Hop.ChannelId, new FeePolicy(x.Hop.FeeBaseMsat, x.Hop.FeeProportionalMillionths, x.Hop.CltvExpiryDelta)))
            .ToList();
}
