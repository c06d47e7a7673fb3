using System.Security.Cryptography;
using System.Text;

namespace ImpVpn.LndSim.Crypto;

/// <summary>LND's SignMessage/VerifyMessage format: a 65-byte compact recoverable signature (header 31 + recovery
/// id, for a compressed key) over double SHA-256 of "Lightning Signed Message:" + message, written in zbase32.</summary>
public static class LndMessageSigner
{
    private const string Prefix = "Lightning Signed Message:";
    private const string ZBase32Alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769";

    public static string Sign(NodeKey key, ReadOnlySpan<byte> message)
    {
        var compact = key.SignCompactRecoverable(Digest(message), out var recoveryId);
        return ZBase32Encode([(byte)(31 + recoveryId), .. compact]);
    }

    public static bool TryRecover(ReadOnlySpan<byte> message, string signature, out string pubKeyHex)
    {
        pubKeyHex = string.Empty;
        var bytes = ZBase32Decode(signature);
        if (bytes is null || bytes.Length != 65 || bytes[0] < 27 || bytes[0] > 34)
        {
            return false;
        }

        var recovered = NodeKey.Recover(Digest(message), bytes.AsSpan(1, 64), (bytes[0] - 27) & 3);
        if (recovered is null)
        {
            return false;
        }

        pubKeyHex = Convert.ToHexString(recovered).ToLowerInvariant();
        return true;
    }

    private static byte[] Digest(ReadOnlySpan<byte> message) =>
        SHA256.HashData(SHA256.HashData([.. Encoding.ASCII.GetBytes(Prefix), .. message]));

    public static string ZBase32Encode(byte[] data)
    {
        var words = Bech32.ConvertBits(data, 8, 5, true);
        return new string(words.Select(w => ZBase32Alphabet[w]).ToArray());
    }

    public static byte[]? ZBase32Decode(string text)
    {
        var words = new List<byte>();
        foreach (var c in text)
        {
            var value = ZBase32Alphabet.IndexOf(c);
            if (value < 0)
            {
                return null;
            }

            words.Add((byte)value);
        }

        // The last word carries padding bits that are not part of the data.
        var bytes = Bech32.ConvertBits(words, 5, 8, true);
        return bytes[..(words.Count * 5 / 8)];
    }
}
