using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// A Curve25519 private key in WireGuard's format. Generated in-process with BouncyCastle's X25519
/// (which clamps the scalar as RFC 7748 and wg(8) do), so no `wg genkey` is needed.
/// ToString never reveals the key; the only ways out are <see cref="RevealBase64"/> and <see cref="RevealHex"/>,
/// named so that every place that writes a secret stands out in review.
/// </summary>
public sealed class WireGuardPrivateKey : IDisposable
{
    private readonly byte[] _bytes;
    private readonly WireGuardPublicKey _publicKey;
    private bool _disposed;

    private WireGuardPrivateKey(byte[] bytes)
    {
        _bytes = bytes;
        _publicKey = DerivePublicKey(bytes);
    }

    /// <summary>Throws once disposed: code still holding a disposed key has a lifetime bug worth hearing about.</summary>
    public WireGuardPublicKey PublicKey
    {
        get
        {
            ThrowIfDisposed();
            return _publicKey;
        }
    }

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

    // A disposed key's bytes are zero, and an all-zero private_key tells the UAPI to remove the device's key:
    // revealing it must fail loudly instead of silently unkeying the tunnel.
    public string RevealBase64()
    {
        ThrowIfDisposed();
        return Convert.ToBase64String(_bytes);
    }

    public string RevealHex()
    {
        ThrowIfDisposed();
        return Convert.ToHexString(_bytes).ToLowerInvariant();
    }

    // ToString stays usable after Dispose: it is called by debuggers and loggers, where throwing would hide the real error.
    public override string ToString() =>
        _disposed ? "WireGuardPrivateKey(disposed)" : $"WireGuardPrivateKey(public {_publicKey})";

    public void Dispose()
    {
        _disposed = true;
        Array.Clear(_bytes);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

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
