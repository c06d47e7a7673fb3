using System.Security.Cryptography;
using NBitcoin.Secp256k1;

namespace ImpVpn.LndSim.Crypto;

/// <summary>A simulated node's secp256k1 identity key (the key an LND node's pubkey names).</summary>
public sealed class NodeKey
{
    private readonly ECPrivKey _key;

    private NodeKey(ECPrivKey key)
    {
        _key = key;
        PublicKey = key.CreatePubKey().ToBytes(true);
        PubKeyHex = Convert.ToHexString(PublicKey).ToLowerInvariant();
    }

    public byte[] PublicKey { get; }

    public string PubKeyHex { get; }

    public static NodeKey Generate()
    {
        while (true)
        {
            if (Context.Instance.TryCreateECPrivKey(RandomNumberGenerator.GetBytes(32), out var key) && key is not null)
            {
                return new NodeKey(key);
            }
        }
    }

    public static NodeKey FromPrivateKey(ReadOnlySpan<byte> privateKey) =>
        Context.Instance.TryCreateECPrivKey(privateKey, out var key) && key is not null
            ? new NodeKey(key)
            : throw new ArgumentException("Not a valid secp256k1 private key.", nameof(privateKey));

    /// <summary>A 64-byte compact signature over a 32-byte hash and its recovery id (0-3).</summary>
    public byte[] SignCompactRecoverable(ReadOnlySpan<byte> hash32, out int recoveryId)
    {
        if (!_key.TrySignRecoverable(hash32, out var signature) || signature is null)
        {
            throw new CryptographicException("secp256k1 signing failed.");
        }

        var compact = new byte[64];
        signature.WriteToSpanCompact(compact, out recoveryId);
        return compact;
    }

    /// <summary>The compressed public key that made <paramref name="compact"/> over <paramref name="hash32"/>, or null.</summary>
    public static byte[]? Recover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> compact, int recoveryId)
    {
        if (compact.Length != 64 || recoveryId is < 0 or > 3
            || !SecpRecoverableECDSASignature.TryCreateFromCompact(compact, recoveryId, out var signature) || signature is null
            || !ECPubKey.TryRecover(Context.Instance, signature, hash32, out var publicKey) || publicKey is null)
        {
            return null;
        }

        return publicKey.ToBytes(true);
    }

    public override string ToString() => $"NodeKey({PubKeyHex})";
}
