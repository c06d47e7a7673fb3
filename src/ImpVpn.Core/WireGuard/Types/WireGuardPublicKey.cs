namespace ImpVpn.Core.WireGuard.Types;

/// <summary>A Curve25519 public key as WireGuard uses it. Safe to print and log.</summary>
public sealed class WireGuardPublicKey : IEquatable<WireGuardPublicKey>
{
    private readonly byte[] _bytes;

    public WireGuardPublicKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != KeyEncoding.KeyLength)
        {
            throw new WireGuardKeyFormatException($"A WireGuard public key is 32 bytes, not {bytes.Length}.");
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>Reads a key written as base64 (wg, config files) or hex (UAPI).</summary>
    public static WireGuardPublicKey Parse(string text) => new(KeyEncoding.Decode(text, "public key"));

    public static bool TryParse(string? text, out WireGuardPublicKey? key)
    {
        key = null;
        if (text is null)
        {
            return false;
        }

        try
        {
            key = Parse(text);
            return true;
        }
        catch (WireGuardKeyFormatException)
        {
            return false;
        }
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public string ToBase64() => Convert.ToBase64String(_bytes);

    public string ToHex() => Convert.ToHexString(_bytes).ToLowerInvariant();

    public override string ToString() => ToBase64();

    public bool Equals(WireGuardPublicKey? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as WireGuardPublicKey);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);
}
