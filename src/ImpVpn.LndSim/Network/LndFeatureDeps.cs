namespace ImpVpn.LndSim.Network;

/// <summary>
/// LND's feature dependencies (feature/deps.go, <c>deps</c> and <c>ValidateDeps</c>, at commit 90ea05d5a7f9):
/// a feature vector is valid when every feature's dependencies are in it too, a required and an optional bit alike
/// (both are mapped to the optional one). peersrpc checks this right after applying the updates, before the feature
/// manager's own checks (pairs, bits in the standard protocol set).
/// </summary>
public static class LndFeatureDeps
{
    // By optional bit: 15 payment-addr, 17 mpp, 21 anchors, 23 anchors-zero-fee, 31 amp, 45 explicit channel type,
    // 2023 script-enforced lease, 55 keysend, 51 zero-conf, 181 and 81 taproot (staging, final), 2025 taproot
    // overlay, 25 route blinding, 263 bolt-11 blinded paths.
    private static readonly Dictionary<uint, uint[]> Deps = new()
    {
        [15] = [9],
        [17] = [15],
        [21] = [13],
        [23] = [13],
        [31] = [15],
        [45] = [],
        [2023] = [45, 23],
        [55] = [9],
        [51] = [47],
        [181] = [23, 45],
        [81] = [23, 45],
        [2025] = [181, 9, 47],
        [25] = [9],
        [263] = [25],
    };

    /// <summary>The first dependency missing from <paramref name="features"/> (an optional bit), or null when there is
    /// none. LND walks a Go map, so which one it names when several are missing varies; here the lowest bits go first.</summary>
    public static uint? Missing(IReadOnlySet<uint> features)
    {
        var supported = features.Select(Optional).ToHashSet();
        var checkedBits = new HashSet<uint>();
        return MissingIn(features.Order(), supported, checkedBits);
    }

    private static uint? MissingIn(IEnumerable<uint> bits, HashSet<uint> supported, HashSet<uint> checkedBits)
    {
        foreach (var raw in bits)
        {
            var bit = Optional(raw);
            if (!supported.Contains(bit))
            {
                return bit;
            }

            if (!checkedBits.Add(bit))
            {
                continue;
            }

            if (MissingIn(Deps.GetValueOrDefault(bit) ?? [], supported, checkedBits) is { } missing)
            {
                return missing;
            }
        }

        return null;
    }

    private static uint Optional(uint bit) => bit % 2 == 0 ? bit ^ 1 : bit;
}
