using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ImpVpn.Core.Protocol;

/// <summary>
/// Turns envelopes into custom-message payloads and back, refusing anything a well-behaved peer would not send:
/// oversize payloads, invalid UTF-8 or JSON, a jsonrpc other than "2.0", a missing or malformed id.
/// </summary>
public static class JsonRpcCodec
{
    /// <summary>Property names on the wire are snake_case; unknown properties are ignored so that later
    /// versions can add fields.</summary>
    public static readonly JsonSerializerOptions WireOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
    };

    /// <summary>A fresh request id: 128 random bits in hex. Ids are never counters (LSPS0's rule), so a reply
    /// cannot be forged by guessing the next one.</summary>
    public static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public static byte[] Encode(JsonRpcEnvelope envelope)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(envelope, WireOptions);
        if (bytes.Length > PeerProtocol.MaxMessageBytes)
        {
            throw new ProtocolException(ProtocolErrorCode.InternalError,
                $"A message of {bytes.Length} bytes is larger than a custom message may be ({PeerProtocol.MaxMessageBytes}).");
        }

        return bytes;
    }

    public static JsonRpcEnvelope Request(string method, object parameters) => new()
    {
        Id = NewId(),
        Method = method,
        Params = JsonSerializer.SerializeToElement(parameters, WireOptions),
    };

    public static JsonRpcEnvelope Success(string id, object result) => new()
    {
        Id = id,
        Result = JsonSerializer.SerializeToElement(result, WireOptions),
    };

    public static JsonRpcEnvelope Failure(string? id, ProtocolErrorCode code, string message) => new()
    {
        Id = id,
        Error = new JsonRpcError((int)code, message),
    };

    /// <summary>Reads a payload. Throws <see cref="ProtocolException"/> (ParseError or InvalidRequest) for anything malformed.</summary>
    public static JsonRpcEnvelope Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > PeerProtocol.MaxMessageBytes)
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidRequest, "The message is larger than the protocol allows.");
        }

        JsonRpcEnvelope? envelope;
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
            envelope = JsonSerializer.Deserialize<JsonRpcEnvelope>(text, WireOptions);
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException)
        {
            throw new ProtocolException(ProtocolErrorCode.ParseError, "The message is not valid UTF-8 JSON.", e);
        }

        if (envelope is null || envelope.JsonRpc != "2.0")
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidRequest, "The message is not JSON-RPC 2.0.");
        }

        if (envelope.Id is not { Length: >= 1 and <= 64 })
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidRequest, "The message has no usable id.");
        }

        var isResponse = envelope.Result is not null || envelope.Error is not null;
        if (envelope.IsRequest == isResponse)
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidRequest, "A message must be either a request or a response.");
        }

        return envelope;
    }

    /// <summary>Reads a request's params or a response's result as <typeparamref name="T"/>; InvalidParams when they do not fit.</summary>
    public static T ReadPayload<T>(JsonElement? element)
        where T : class
    {
        if (element is not { } value)
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"Missing {typeof(T).Name}.");
        }

        try
        {
            return value.Deserialize<T>(WireOptions)
                ?? throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"Empty {typeof(T).Name}.");
        }
        catch (JsonException e)
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"The {typeof(T).Name} does not have the expected fields: {e.Message}", e);
        }
    }
}
