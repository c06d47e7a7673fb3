using System.Globalization;
using System.Text;
using NBitcoin.Secp256k1;

namespace ImpVpn.Lightning.Tests.Bolt11;

/// <summary>
/// The test suite's own reading of BOLT11, written apart from the simulator's encoder and decoder so that a
/// shared mistake cannot hide: bech32 checksum, amount multiplier, the p/h/d/n/r fields, and public-key
/// recovery from the signature over SHA-256(hrp || data).
/// </summary>
internal static class IndependentBolt11Reader
{
    private const string Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    public sealed record Reading(string Hrp, long AmountMsat, byte[] PaymentHash, byte[]? DescriptionHash, string? Description, string RecoveredPayee, string? StatedPayee)
    {
        /// <summary>Each 'r' field's hops, in order.</summary>
        public List<List<HintHop>> RouteHints { get; init; } = [];
    }

    /// <summary>One hop of an 'r' field: 33-byte node id, 8-byte channel id, 4-byte base fee, 4-byte ppm, 2-byte CLTV delta.</summary>
    public sealed record HintHop(string NodeId, ulong ChannelId, uint FeeBaseMsat, uint FeePpm, int CltvDelta);

    public static Reading Read(string invoice)
    {
        var text = invoice.ToLowerInvariant();
        var split = text.LastIndexOf('1');
        var hrp = text[..split];
        var values = text[(split + 1)..].Select(c => Alphabet.IndexOf(c)).ToArray();
        if (values.Any(v => v < 0) || Checksum(hrp, values) != 1)
        {
            throw new FormatException("bad bech32");
        }

        var data = values[..^6];
        var signatureValues = data[^104..];
        var body = data[..^104];

        byte[]? hash = null, descriptionHash = null;
        string? description = null, payee = null;
        var hints = new List<List<HintHop>>();
        for (var i = 7; i < body.Length;)
        {
            var tag = body[i];
            var length = (body[i + 1] * 32) + body[i + 2];
            var field = body.Skip(i + 3).Take(length).ToArray();
            i += 3 + length;
            var bytes = Regroup(field, 5, 8);
            switch (Alphabet[tag])
            {
                case 'p':
                    hash = bytes[..32];
                    break;
                case 'h':
                    descriptionHash = bytes[..32];
                    break;
                case 'd':
                    description = Encoding.UTF8.GetString(bytes);
                    break;
                case 'n':
                    payee = Convert.ToHexString(bytes[..33]).ToLowerInvariant();
                    break;
                case 'r':
                    hints.Add(Enumerable.Range(0, bytes.Length / 51).Select(h => ReadHop(bytes.AsSpan(h * 51, 51))).ToList());
                    break;
            }
        }

        var signature = Regroup(signatureValues, 5, 8);
        var message = System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(hrp).Concat(Regroup(body, 5, 8, padToByte: true)).ToArray());
        if (!SecpRecoverableECDSASignature.TryCreateFromCompact(signature.AsSpan(0, 64), signature[64], out var recoverable)
            || !ECPubKey.TryRecover(Context.Instance, recoverable!, message, out var publicKey))
        {
            throw new FormatException("signature does not recover");
        }

        return new Reading(hrp, AmountOf(hrp), hash!, descriptionHash, description,
            Convert.ToHexString(publicKey!.ToBytes(true)).ToLowerInvariant(), payee) { RouteHints = hints };
    }

    private static HintHop ReadHop(ReadOnlySpan<byte> hop)
    {
        static ulong BigEndian(ReadOnlySpan<byte> bytes)
        {
            ulong value = 0;
            foreach (var b in bytes)
            {
                value = (value << 8) | b;
            }

            return value;
        }

        return new HintHop(Convert.ToHexString(hop[..33]).ToLowerInvariant(), BigEndian(hop[33..41]), (uint)BigEndian(hop[41..45]),
            (uint)BigEndian(hop[45..49]), (int)BigEndian(hop[49..51]));
    }

    private static long AmountOf(string hrp)
    {
        var digits = new string(hrp.SkipWhile(c => !char.IsDigit(c)).ToArray());
        if (digits.Length == 0)
        {
            return 0;
        }

        var unit = digits[^1];
        var number = long.Parse(char.IsDigit(unit) ? digits : digits[..^1], CultureInfo.InvariantCulture);
        // One bitcoin is 10^11 millisatoshi.
        return unit switch
        {
            'm' => number * 100_000_000,
            'u' => number * 100_000,
            'n' => number * 100,
            'p' => number / 10,
            _ => number * 100_000_000_000,
        };
    }

    private static byte[] Regroup(int[] values, int from, int to, bool padToByte = false)
    {
        var output = new List<byte>();
        int buffer = 0, count = 0;
        foreach (var value in values)
        {
            buffer = (buffer << from) | value;
            count += from;
            while (count >= to)
            {
                count -= to;
                output.Add((byte)((buffer >> count) & ((1 << to) - 1)));
            }

            buffer &= (1 << count) - 1;
        }

        // BOLT11 signs the data with zero bits appended up to the next byte boundary.
        if (padToByte && count > 0)
        {
            output.Add((byte)(buffer << (to - count)));
        }

        return output.ToArray();
    }

    private static int Checksum(string hrp, IEnumerable<int> values)
    {
        int[] generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        var all = hrp.Select(c => c >> 5).Append(0).Concat(hrp.Select(c => c & 31)).Concat(values);
        var check = 1;
        foreach (var value in all)
        {
            var top = check >> 25;
            check = ((check & 0x1ffffff) << 5) ^ value;
            for (var bit = 0; bit < 5; bit++)
            {
                if (((top >> bit) & 1) == 1)
                {
                    check ^= generator[bit];
                }
            }
        }

        return check;
    }
}
