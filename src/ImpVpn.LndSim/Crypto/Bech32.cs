using System.Text;

namespace ImpVpn.LndSim.Crypto;

/// <summary>Bech32 (BIP-173) as BOLT11 uses it: the original checksum constant, and no 90-character limit.</summary>
public static class Bech32
{
    public const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    public static string Encode(string hrp, IReadOnlyList<byte> words)
    {
        var checksum = CreateChecksum(hrp, words);
        var text = new StringBuilder(hrp.Length + 1 + words.Count + 6).Append(hrp).Append('1');
        foreach (var word in words.Concat(checksum))
        {
            text.Append(Charset[word]);
        }

        return text.ToString();
    }

    /// <summary>Splits a bech32 string into its human-readable part and data words, checking the checksum.</summary>
    public static (string Hrp, byte[] Words) Decode(string text)
    {
        if (text.Any(char.IsUpper) && text.Any(char.IsLower))
        {
            throw new Bolt11FormatException("Mixed-case bech32.");
        }

        var lower = text.ToLowerInvariant();
        var separator = lower.LastIndexOf('1');
        if (separator < 1 || separator + 7 > lower.Length)
        {
            throw new Bolt11FormatException("No bech32 separator, or too short.");
        }

        var hrp = lower[..separator];
        var words = new byte[lower.Length - separator - 1];
        for (var i = 0; i < words.Length; i++)
        {
            var value = Charset.IndexOf(lower[separator + 1 + i]);
            if (value < 0)
            {
                throw new Bolt11FormatException($"Character '{lower[separator + 1 + i]}' is not bech32.");
            }

            words[i] = (byte)value;
        }

        if (Polymod(ExpandHrp(hrp).Concat(words)) != 1)
        {
            throw new Bolt11FormatException("Bad bech32 checksum.");
        }

        return (hrp, words[..^6]);
    }

    /// <summary>Regroups bits (8→5 or 5→8). With pad, leftover bits are zero-filled; without, they must be zero.</summary>
    public static byte[] ConvertBits(IEnumerable<byte> data, int fromBits, int toBits, bool pad)
    {
        var accumulator = 0;
        var bits = 0;
        var result = new List<byte>();
        var maxValue = (1 << toBits) - 1;
        foreach (var value in data)
        {
            accumulator = (accumulator << fromBits) | value;
            bits += fromBits;
            while (bits >= toBits)
            {
                bits -= toBits;
                result.Add((byte)((accumulator >> bits) & maxValue));
            }
        }

        if (pad && bits > 0)
        {
            result.Add((byte)((accumulator << (toBits - bits)) & maxValue));
        }

        return result.ToArray();
    }

    private static uint Polymod(IEnumerable<byte> values)
    {
        uint checksum = 1;
        foreach (var value in values)
        {
            var top = checksum >> 25;
            checksum = ((checksum & 0x1ffffff) << 5) ^ value;
            for (var i = 0; i < 5; i++)
            {
                if (((top >> i) & 1) != 0)
                {
                    checksum ^= Generator[i];
                }
            }
        }

        return checksum;
    }

    private static byte[] ExpandHrp(string hrp) =>
        hrp.Select(c => (byte)(c >> 5)).Append((byte)0).Concat(hrp.Select(c => (byte)(c & 31))).ToArray();

    private static byte[] CreateChecksum(string hrp, IEnumerable<byte> words)
    {
        var polymod = Polymod(ExpandHrp(hrp).Concat(words).Concat(new byte[6])) ^ 1;
        return Enumerable.Range(0, 6).Select(i => (byte)((polymod >> (5 * (5 - i))) & 31)).ToArray();
    }
}

/// <summary>A BOLT11 or bech32 string that cannot be read.</summary>
public sealed class Bolt11FormatException(string message) : FormatException(message);
