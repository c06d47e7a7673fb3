namespace ImpVpn.LndSim.Network;

/// <summary>
/// The feature bits LND knows, with LND's names (lnwire/features.go, <c>Features</c>, at the commit proto/ was taken
/// from), and the ones a default LND puts in its node announcement (feature/default_sets.go less what lncfg leaves
/// off by default). LND refuses to set or unset a known bit through peersrpc; a bit it does not know is named
/// "unknown" in its answers and reported not known.
/// </summary>
public static class LndFeatureNames
{
    private static readonly Dictionary<uint, string> Known = Pairs(
        (0, "data-loss-protect"), (3, "initial-routing-sync"), (4, "upfront-shutdown-script"), (6, "gossip-queries"),
        (8, "tlv-onion"), (12, "static-remote-key"), (14, "payment-addr"), (16, "multi-path-payments"),
        (18, "wumbo-channels"), (20, "anchor-commitments"), (22, "anchors-zero-fee-htlc-tx"), (24, "route-blinding"),
        (26, "shutdown-any-segwit"), (30, "amp"), (34, "quiescence"), (38, "onion-messages"),
        (44, "explicit-commitment-type"), (46, "scid-alias"), (48, "payment-metadata"), (50, "zero-conf"),
        (54, "keysend"), (60, "rbf-coop-close"), (80, "simple-taproot-chans"), (160, "rbf-coop-close-x"),
        (180, "simple-taproot-chans-x"), (260, "accountable-x"), (262, "bolt-11-blinded-paths"),
        (2022, "script-enforced-lease"));

    /// <summary>The node-announcement bits of a default LND (as GetNodeInfo shows them), at commit 90ea05d5a7f9:
    /// feature/default_sets.go's SetNodeAnn less what server.go's feature.Config turns off by default (keysend 55
    /// without accept-keysend; wumbo, scid-alias, zero-conf, taproot, taproot overlay and RBF close are opt-in).
    /// Explicit channel type is announced required (44), onion messages optional (39).</summary>
    public static readonly IReadOnlySet<uint> DefaultNodeAnnouncement = new HashSet<uint>
    {
        0, 5, 7, 8, 12, 14, 17, 23, 25, 27, 31, 35, 39, 44, 261, 2023,
    };

    /// <summary>LND's name for a bit, or null for one it does not know.</summary>
    public static string? NameOf(uint bit) => Known.GetValueOrDefault(bit);

    public static bool IsKnown(uint bit) => Known.ContainsKey(bit);

    // LND names both bits of a pair alike; InitialRoutingSync (3) alone has no even partner in its table.
    private static Dictionary<uint, string> Pairs(params (uint Even, string Name)[] pairs)
    {
        var names = new Dictionary<uint, string>();
        foreach (var (bit, name) in pairs)
        {
            if (bit == 3)
            {
                names[3] = name;
                continue;
            }

            names[bit] = name;
            names[bit + 1] = name;
        }

        // Taproot overlay channels: LND numbers the pair 2025 (optional) and 2026 (required), off BOLT 9's pattern.
        names[2025] = "taproot-overlay-chans";
        names[2026] = "taproot-overlay-chans";
        return names;
    }
}
