using System.Security.Cryptography;
using System.Text;

namespace ImpVpn.LndSim.Crypto;

/// <summary>Writes BOLT11 payment requests signed with the node key, as any standard decoder reads them.</summary>
public static class Bolt11Encoder
{
    private const int TagPaymentHash = 1;
    private const int TagDescription = 13;
    private const int TagPayee = 19;
    private const int TagDescriptionHash = 23;
    private const int TagExpiry = 6;
    private const int TagMinFinalCltv = 24;
    private const int TagPaymentSecret = 16;
    private const int TagFeatures = 5;
    private const int TagRouteHint = 3;

    public static string Encode(Bolt11Invoice invoice, NodeKey key)
    {
        var hrp = "ln" + invoice.Currency + FormatAmount(invoice.AmountMsat);
        var words = new List<byte>();
        words.AddRange(IntToWords(invoice.Timestamp.ToUnixTimeSeconds(), 7));
        AddTagged(words, TagPaymentHash, Bech32.ConvertBits(invoice.PaymentHash, 8, 5, true));
        AddTagged(words, TagPaymentSecret, Bech32.ConvertBits(invoice.PaymentSecret, 8, 5, true));
        if (invoice.DescriptionHash is { } hash)
        {
            AddTagged(words, TagDescriptionHash, Bech32.ConvertBits(hash, 8, 5, true));
        }
        else
        {
            AddTagged(words, TagDescription, Bech32.ConvertBits(Encoding.UTF8.GetBytes(invoice.Description ?? string.Empty), 8, 5, true));
        }

        AddTagged(words, TagExpiry, IntToWords(invoice.ExpirySeconds));
        AddTagged(words, TagMinFinalCltv, IntToWords(invoice.MinFinalCltvExpiry));
        foreach (var hint in invoice.RouteHints)
        {
            AddTagged(words, TagRouteHint, Bech32.ConvertBits(Bolt11HopHint.Encode(hint), 8, 5, true));
        }

        AddTagged(words, TagPayee, Bech32.ConvertBits(key.PublicKey, 8, 5, true));
        AddTagged(words, TagFeatures, FeatureWords(invoice.Features));

        var hash32 = SignatureHash(hrp, words);
        var signature = key.SignCompactRecoverable(hash32, out var recoveryId);
        words.AddRange(Bech32.ConvertBits(signature.Append((byte)recoveryId), 8, 5, true));
        return Bech32.Encode(hrp, words);
    }

    /// <summary>SHA-256 of the human-readable part's bytes followed by the data words packed into bytes (BOLT11).</summary>
    public static byte[] SignatureHash(string hrp, IReadOnlyList<byte> dataWords) =>
        SHA256.HashData(Encoding.ASCII.GetBytes(hrp).Concat(Bech32.ConvertBits(dataWords, 5, 8, true)).ToArray());

    /// <summary>The shortest exact amount: whole bitcoin, then milli (m), micro (u), nano (n), pico (p).</summary>
    public static string FormatAmount(long? amountMsat)
    {
        if (amountMsat is not { } msat || msat == 0)
        {
            return string.Empty;
        }

        (long Msat, string Suffix)[] units = [(100_000_000_000, ""), (100_000_000, "m"), (100_000, "u"), (100, "n")];
        foreach (var (unit, suffix) in units)
        {
            if (msat % unit == 0)
            {
                return (msat / unit) + suffix;
            }
        }

        return (msat * 10) + "p";
    }

    public static byte[] IntToWords(long value, int minimumWords = 1)
    {
        var words = new List<byte>();
        while (value > 0)
        {
            words.Insert(0, (byte)(value & 31));
            value >>= 5;
        }

        while (words.Count < minimumWords)
        {
            words.Insert(0, 0);
        }

        return words.ToArray();
    }

    private static byte[] FeatureWords(IReadOnlyList<int> bits)
    {
        var count = bits.Count == 0 ? 0 : (bits.Max() / 5) + 1;
        var words = new byte[count];
        foreach (var bit in bits)
        {
            words[count - 1 - (bit / 5)] |= (byte)(1 << (bit % 5));
        }

        return words;
    }

    private static void AddTagged(List<byte> words, int tag, byte[] data)
    {
        words.Add((byte)tag);
        words.Add((byte)(data.Length >> 5));
        words.Add((byte)(data.Length & 31));
        words.AddRange(data);
    }
}
