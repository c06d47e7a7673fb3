using System.Buffers.Binary;

namespace ImpVpn.LndSim.Crypto;

/// <summary>One hop of a BOLT11 route hint ('r' field): the node that can forward to the payee (or the next hint
/// hop), over which channel, at what fee and CLTV delta. On the wire each hop is 51 bytes: pubkey (33),
/// short_channel_id (8), fee_base_msat (4), fee_proportional_millionths (4), cltv_expiry_delta (2), big-endian.</summary>
public sealed record Bolt11HopHint(byte[] NodeId, ulong ChannelId, uint FeeBaseMsat, uint FeeProportionalMillionths, ushort CltvExpiryDelta)
{
    public const int Size = 51;

    public void Write(Span<byte> destination)
    {
        NodeId.CopyTo(destination);
        BinaryPrimitives.WriteUInt64BigEndian(destination[33..], ChannelId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[41..], FeeBaseMsat);
        BinaryPrimitives.WriteUInt32BigEndian(destination[45..], FeeProportionalMillionths);
        BinaryPrimitives.WriteUInt16BigEndian(destination[49..], CltvExpiryDelta);
    }

    public static Bolt11HopHint Read(ReadOnlySpan<byte> source) => new(
        source[..33].ToArray(),
        BinaryPrimitives.ReadUInt64BigEndian(source[33..]),
        BinaryPrimitives.ReadUInt32BigEndian(source[41..]),
        BinaryPrimitives.ReadUInt32BigEndian(source[45..]),
        BinaryPrimitives.ReadUInt16BigEndian(source[49..]));

    /// <summary>The bytes of one 'r' field: its hops one after another.</summary>
    public static byte[] Encode(IReadOnlyList<Bolt11HopHint> route)
    {
        var bytes = new byte[route.Count * Size];
        for (var i = 0; i < route.Count; i++)
        {
            route[i].Write(bytes.AsSpan(i * Size));
        }

        return bytes;
    }

    /// <summary>The hops of one 'r' field, or null when its length is not a whole number of hops.</summary>
    public static IReadOnlyList<Bolt11HopHint>? Decode(byte[] field)
    {
        // 5-bit words round up to whole bytes: a field of n hops carries n*51 bytes and under a byte of padding.
        var count = field.Length / Size;
        if (count == 0)
        {
            return null;
        }

        return Enumerable.Range(0, count).Select(i => Read(field.AsSpan(i * Size, Size))).ToList();
    }
}
