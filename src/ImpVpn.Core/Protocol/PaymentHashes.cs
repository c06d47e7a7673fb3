namespace ImpVpn.Core.Protocol;

/// <summary>Payment hashes and preimages as the protocol carries them: 32 bytes in 64 hex characters, nothing else.</summary>
public static class PaymentHashes
{
    /// <summary>The 32 bytes of <paramref name="hex"/>; <see cref="ProtocolErrorCode.InvalidParams"/> for anything
    /// that is not exactly 64 hex characters. The value itself is never echoed: it may be a secret, or a flood.</summary>
    public static byte[] ParseHex32(string? hex, string what)
    {
        if (hex is not { Length: 64 } || !hex.All(Uri.IsHexDigit))
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"The {what} must be 32 bytes in 64 hex characters.");
        }

        return Convert.FromHexString(hex);
    }
}
