using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>
/// The feature bits an LND node with default options advertises (lnd feature/default_sets.go, less what
/// lncfg leaves off by default: wumbo, scid-alias, zero-conf, taproot and RBF close are opt-in, keysend needs
/// accept-keysend), per BOLT 9
/// context, named as LND names them (<see cref="LndFeatureNames"/>). The node announcement's bits are
/// <see cref="LndFeatureNames.DefaultNodeAnnouncement"/>. GetInfo reports the union of every set, as LND does.
/// </summary>
public static class LndFeatures
{
    private static readonly (uint Bit, bool Init)[] Bits =
    [
        (0, true),
        (5, true),
        (7, true),
        (8, true),
        (12, true),
        (14, true),
        (17, true),
        (23, true),
        (25, true),
        (27, true),
        // Required AMP is in LND's AMP-invoice set only, which GetInfo's union includes.
        (30, false),
        (31, true),
        (35, true),
        (39, true),
        (44, true),
        (261, false),
        (2023, true),
    ];

    /// <summary>Features sent in the init message: what ListPeers shows for a peer.</summary>
    public static IEnumerable<KeyValuePair<uint, Feature>> Init => Of(Bits.Where(b => b.Init).Select(b => b.Bit));

    /// <summary>Every set together, as GetInfo reports them.</summary>
    public static IEnumerable<KeyValuePair<uint, Feature>> All => Of(Bits.Select(b => b.Bit));

    /// <summary>A feature vector by bit, named as LND names it; bits LND does not know are reported unknown.</summary>
    public static IEnumerable<KeyValuePair<uint, Feature>> Of(IEnumerable<int> bits) => Of(bits.Select(bit => (uint)bit));

    /// <summary>A feature vector as LND's calls report it (invoicesrpc.CreateRPCFeatures).</summary>
    public static IEnumerable<KeyValuePair<uint, Feature>> Of(IEnumerable<uint> bits) =>
        bits.Order().Select(bit => Entry(bit, LndFeatureNames.NameOf(bit)));

    private static KeyValuePair<uint, Feature> Entry(uint bit, string? name) => new(bit, new Feature
    {
        // LND names an unknown bit "unknown" and marks it so.
        Name = name ?? "unknown",
        // BOLT 9: even bits are required, odd ones optional.
        IsRequired = bit % 2 == 0,
        IsKnown = name is not null,
    });
}
