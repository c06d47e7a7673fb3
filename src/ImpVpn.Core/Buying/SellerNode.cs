namespace ImpVpn.Core.Buying;

/// <summary>A seller as the user names it: its node's public key, and optionally the host:port where its Lightning
/// node listens, written <c>pubkey@host:port</c> as node URIs are shared. The address is tried before the graph's
/// (a seller without public channels is not in the graph at all).</summary>
public sealed record SellerNode(string PubKey, string? Address)
{
    /// <summary>Reads <c>pubkey</c> or <c>pubkey@host:port</c>; the key comes out lowercase.</summary>
    public static SellerNode Parse(string text)
    {
        var at = text.IndexOf('@');
        var pubKey = NodePubKey.Normalize(at < 0 ? text : text[..at]);
        var address = at < 0 ? null : text[(at + 1)..];
        if (address is not null && (address.Length == 0 || !address.Contains(':') || address.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException($"'{address}' is not a host:port for the seller's node.", nameof(text));
        }

        return new SellerNode(pubKey, address);
    }

    public override string ToString() => Address is null ? PubKey : $"{PubKey}@{Address}";
}
