using System.Text;

namespace ImpVpn.LndSim.Crypto;

/// <summary>Reads a BOLT11 payment request, checks its checksum, and recovers the payee from the signature
/// (checking it against the n field when present). Used for DecodePayReq and when paying.</summary>
public static class Bolt11Decoder
{
    private const int SignatureWords = 104;

    public static Bolt11Invoice Decode(string paymentRequest)
    {
        if (string.IsNullOrWhiteSpace(paymentRequest))
        {
            throw new Bolt11FormatException("The payment request is empty.");
        }

        var text = paymentRequest.Trim();
        if (text.StartsWith("lightning:", StringComparison.OrdinalIgnoreCase))
        {
            text = text["lightning:".Length..];
        }

        var (hrp, words) = Bech32.Decode(text);
        if (!hrp.StartsWith("ln", StringComparison.Ordinal) || words.Length < 7 + SignatureWords)
        {
            throw new Bolt11FormatException("Not a BOLT11 payment request.");
        }

        var (currency, amountMsat) = ParseHrp(hrp[2..]);
        var data = words[..^SignatureWords];
        var signatureBytes = Bech32.ConvertBits(words[^SignatureWords..], 5, 8, false);
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(WordsToLong(data.AsSpan(0, 7)));

        byte[]? hash = null, secret = null, descriptionHash = null, payee = null;
        string? description = null;
        var routeHints = new List<IReadOnlyList<Bolt11HopHint>>();
        long expiry = 3600, cltv = 18;
        var position = 7;
        while (position < data.Length)
        {
            if (position + 3 > data.Length)
            {
                throw new Bolt11FormatException("A tagged field is cut short.");
            }

            int tag = data[position], length = (data[position + 1] << 5) | data[position + 2];
            position += 3;
            if (position + length > data.Length)
            {
                throw new Bolt11FormatException("A tagged field runs past the end.");
            }

            var field = data.AsSpan(position, length).ToArray();
            position += length;
            switch (tag)
            {
                case 1 when length == 52:
                    hash = Bech32.ConvertBits(field, 5, 8, false)[..32];
                    break;
                case 16 when length == 52:
                    secret = Bech32.ConvertBits(field, 5, 8, false)[..32];
                    break;
                case 23 when length == 52:
                    descriptionHash = Bech32.ConvertBits(field, 5, 8, false)[..32];
                    break;
                case 19 when length == 53:
                    payee = Bech32.ConvertBits(field, 5, 8, false)[..33];
                    break;
                case 13:
                    description = Encoding.UTF8.GetString(Bech32.ConvertBits(field, 5, 8, false));
                    break;
                case 6:
                    expiry = WordsToLong(field);
                    break;
                case 24:
                    cltv = WordsToLong(field);
                    break;
                case 3 when Bolt11HopHint.Decode(Bech32.ConvertBits(field, 5, 8, false)) is { } hint:
                    routeHints.Add(hint);
                    break;
                default:
                    // Unknown or wrongly sized fields are skipped, as BOLT11 asks of readers.
                    break;
            }
        }

        if (hash is null)
        {
            throw new Bolt11FormatException("The payment request has no payment hash.");
        }

        var recovered = NodeKey.Recover(Bolt11Encoder.SignatureHash(hrp, data), signatureBytes.AsSpan(0, 64), signatureBytes[64])
            ?? throw new Bolt11FormatException("The payment request's signature does not recover a key.");
        if (payee is not null && !payee.AsSpan().SequenceEqual(recovered))
        {
            throw new Bolt11FormatException("The payment request's signature is not the payee's.");
        }

        return new Bolt11Invoice(currency, amountMsat, timestamp, hash, secret ?? [], description, descriptionHash, expiry, cltv, recovered)
        {
            RouteHints = routeHints,
        };
    }

    private static (string Currency, long? AmountMsat) ParseHrp(string rest)
    {
        var digitsAt = 0;
        while (digitsAt < rest.Length && !char.IsDigit(rest[digitsAt]))
        {
            digitsAt++;
        }

        var currency = rest[..digitsAt];
        if (digitsAt == rest.Length)
        {
            return (currency, null);
        }

        var amountText = rest[digitsAt..];
        var multiplier = char.IsLetter(amountText[^1]) ? amountText[^1] : '\0';
        var digits = multiplier == '\0' ? amountText : amountText[..^1];
        if (!long.TryParse(digits, out var value))
        {
            throw new Bolt11FormatException("The amount is not a number.");
        }

        long msat = multiplier switch
        {
            '\0' => checked(value * 100_000_000_000),
            'm' => checked(value * 100_000_000),
            'u' => checked(value * 100_000),
            'n' => checked(value * 100),
            'p' when value % 10 == 0 => value / 10,
            _ => throw new Bolt11FormatException($"Bad amount multiplier '{multiplier}'."),
        };
        return (currency, msat);
    }

    private static long WordsToLong(ReadOnlySpan<byte> words)
    {
        long value = 0;
        foreach (var word in words)
        {
            value = (value << 5) | word;
        }

        return value;
    }
}
