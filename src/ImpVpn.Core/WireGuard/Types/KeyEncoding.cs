namespace ImpVpn.Core.WireGuard.Types;

/// <summary>WireGuard writes keys as base64 in wg(8) and config files, and as lowercase hex in the UAPI.
/// Both forms are accepted wherever a key is read.</summary>
internal static class KeyEncoding
{
    public const int KeyLength = 32;

    public static byte[] Decode(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 64 && trimmed.All(Uri.IsHexDigit))
        {
            return Convert.FromHexString(trimmed);
        }

        if (trimmed.Length == 44 && trimmed.EndsWith('='))
        {
            var bytes = new byte[KeyLength + 1];
            // Re-encoding must give the same text: non-canonical trailing bits would let two spellings name one key.
            if (Convert.TryFromBase64String(trimmed, bytes, out var written) && written == KeyLength
                && Convert.ToBase64String(bytes, 0, KeyLength) == trimmed)
            {
                return bytes[..KeyLength];
            }
        }

        // The text itself is not echoed: it may be a private key pasted into the wrong place.
        throw new WireGuardKeyFormatException(
            $"The {what} is not a WireGuard key: expected 32 bytes as base64 (44 characters ending in '=') or hex (64 characters), got {trimmed.Length} characters.");
    }
}
