using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace ImpVpn.Core.WireGuard.Keys;

/// <summary>
/// A Curve25519 private key in WireGuard's format. Generated in-process with BouncyCastle's X25519
/// (which clamps the scalar as RFC 7748 and wg(8) do), so no `wg genkey` is needed.
/// ToString never reveals the key; the only ways out are <see cref="RevealBase64"/> and <see cref="RevealHex"/>,
/// named so that every place that writes a secret stands out in review.
/// </summary>
public sealed class WireGuardPrivateKey : IDisposable
{
    private readonly byte[] _bytes;

    private WireGuardPrivateKey(byte[] bytes)
    {
        _bytes = bytes;
        PublicKey = DerivePublicKey(bytes);
    }

    public WireGuardPublicKey PublicKey { get; }

    public static WireGuardPrivateKey Generate()
    {
        var parameters = new X25519PrivateKeyParameters(new SecureRandom());
        return new WireGuardPrivateKey(parameters.GetEncoded());
    }

    /// <summary>Reads a user-given private key (base64 or hex). The scalar is clamped as WireGuard does,
    /// so the stored key is the one wg(8) would show for it.</summary>
    public static WireGuardPrivateKey Parse(string text)
    {
        var bytes = KeyEncoding.Decode(text, "private key");
        Clamp(bytes);
        return new WireGuardPrivateKey(bytes);
    }

    public string RevealBase64() => Convert.ToBase64String(_bytes);

    public string RevealHex() => Convert.ToHexString(_bytes).ToLowerInvariant();

    public override string ToString() => $"WireGuardPrivateKey(public {PublicKey})";

    public void Dispose() => Array.Clear(_bytes);

    private static WireGuardPublicKey DerivePublicKey(byte[] privateKey)
    {
        var parameters = new X25519PrivateKeyParameters(privateKey);
        return new WireGuardPublicKey(parameters.GeneratePublicKey().GetEncoded());
    }

    private static void Clamp(byte[] scalar)
    {
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
    }
}
