using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImpVpn.Core.Selling;

/// <summary>What a running seller says about itself through its control channel (<see cref="SellerControl"/>):
/// who and where it is, what it charges, and how full it is. Nothing secret: any process of the store's owner may
/// ask.</summary>
public sealed record SellerStatus
{
    public int ProcessId { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public string NodePubKey { get; init; } = string.Empty;

    public string Endpoint { get; init; } = string.Empty;

    public string InterfaceName { get; init; } = string.Empty;

    public int ListenPort { get; init; }

    public bool ConfigOnly { get; init; }

    public string Subnet { get; init; } = string.Empty;

    public int PoolLeased { get; init; }

    /// <summary>Free addresses; written as a decimal string, since an IPv6 pool's count exceeds every JSON number
    /// type a reader may use.</summary>
    [JsonConverter(typeof(BigIntegerAsString))]
    public BigInteger PoolFree { get; init; }

    public int OpenContracts { get; init; }

    public int ActiveContracts { get; init; }

    public long PricePerHourSat { get; init; }

    /// <summary>The modes sold, by their enum names (NodeToNode, Exit, PortForward): what the seller's offer says.
    /// Empty from a seller before 0.3.0.</summary>
    public IReadOnlyList<string> Modes { get; init; } = [];

    /// <summary>The region label in the seller's offer; null for none.</summary>
    public string? Region { get; init; }

    public string Version { get; init; } = string.Empty;

    private sealed class BigIntegerAsString : JsonConverter<BigInteger>
    {
        public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            BigInteger.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new JsonException("Not a whole number.");

        public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }
}
