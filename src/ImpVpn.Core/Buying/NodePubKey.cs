namespace ImpVpn.Core.Buying;

/// <summary>A Lightning node's identity key as text: 66 hex characters (a compressed secp256k1 point, 02 or 03
/// first), lowercase as LND writes it.</summary>
public static class NodePubKey
{
    public static string Normalize(string pubKey)
    {
        var key = pubKey.Trim().ToLowerInvariant();
        return key.Length == 66 && (key.StartsWith("02", StringComparison.Ordinal) || key.StartsWith("03", StringComparison.Ordinal)) && key.All(Uri.IsHexDigit)
            ? key
            : throw new ArgumentException($"'{pubKey}' is not a node public key (66 hex characters starting 02 or 03).", nameof(pubKey));
    }

    /// <summary>The first characters, for messages: enough to tell nodes apart, short enough to read.</summary>
    public static string Abbreviate(string pubKey) => pubKey[..Math.Min(16, pubKey.Length)] + "…";
}
