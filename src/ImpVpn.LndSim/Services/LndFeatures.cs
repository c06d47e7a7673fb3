using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.LndSim.Services;

/// <summary>
/// The feature bits an LND node with default options advertises (lnd feature/default_sets.go, less what
/// lncfg leaves off by default: wumbo, scid-alias, zero-conf, taproot and RBF close are opt-in), per BOLT 9
/// context, with LND's names (lnwire/features.go). GetInfo reports the union of every set, as LND does.
/// </summary>
public static class LndFeatures
{
    private static readonly (uint Bit, string Name, bool Init, bool NodeAnnouncement, bool Invoice)[] Bits =
    [
        (0, "data-loss-protect", true, true, false),
        (5, "upfront-shutdown-script", true, true, false),
        (7, "gossip-queries", true, true, false),
        (8, "tlv-onion", true, true, true),
        (12, "static-remote-key", true, true, false),
        (14, "payment-addr", true, true, true),
        (17, "multi-path-payments", true, true, true),
        (23, "anchors-zero-fee-htlc-tx", true, true, false),
        (25, "route-blinding", true, true, true),
        (27, "shutdown-any-segwit", true, true, false),
        // Required AMP is in LND's AMP-invoice set only, which GetInfo's union includes.
        (30, "amp", false, false, false),
        (31, "amp", true, true, false),
        (35, "quiescence", true, true, false),
        (45, "explicit-commitment-type", true, true, false),
        (55, "keysend", false, true, false),
        (261, "accountable-x", false, true, false),
        (2023, "script-enforced-lease", true, true, false),
    ];

    /// <summary>Features sent in the init message: what ListPeers shows for a peer.</summary>
    public static IEnumerable<KeyValuePair<uint, Feature>> Init => Select(b => b.Init);

    /// <summary>Features in the node announcement: what the graph (GetNodeInfo) shows.</summary>
    public static IEnumerable<KeyValuePair<uint, Feature>> NodeAnnouncement => Select(b => b.NodeAnnouncement);

    /// <summary>Every set together, as GetInfo reports them.</summary>
    public static IEnumerable<KeyValuePair<uint, Feature>> All => Select(_ => true);

    /// <summary>A feature vector by bit, named as LND names it; bits LND does not know are reported unknown.</summary>
    public static IEnumerable<KeyValuePair<uint, Feature>> Of(IEnumerable<int> bits) =>
        bits.Select(bit => Entry((uint)bit, NameOf((uint)bit)));

    private static IEnumerable<KeyValuePair<uint, Feature>> Select(Func<(uint Bit, string Name, bool Init, bool NodeAnnouncement, bool Invoice), bool> inSet) =>
        Bits.Where(inSet).Select(b => Entry(b.Bit, b.Name));

    /// <summary>A node announcement's feature vector as LND's graph calls report it (invoicesrpc.CreateRPCFeatures).</summary>
    public static IEnumerable<KeyValuePair<uint, Feature>> Of(IEnumerable<uint> bits) =>
        bits.Order().Select(bit => Entry(bit, NameOf(bit)));

    private static string? NameOf(uint bit) => Network.LndFeatureNames.NameOf(bit);

    private static KeyValuePair<uint, Feature> Entry(uint bit, string? name) => new(bit, new Feature
    {
        // LND names an unknown bit "unknown" and marks it so.
        Name = name ?? "unknown",
        // BOLT 9: even bits are required, odd ones optional.
        IsRequired = bit % 2 == 0,
        IsKnown = name is not null,
    });
}
