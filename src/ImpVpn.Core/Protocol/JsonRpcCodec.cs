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
    /// <summary>The longest request id accepted (a 128-bit hex id is 32 characters).</summary>
    public const int MaxIdLength = 64;

    /// <summary>The longest error message sent.</summary>
    public const int MaxErrorMessageLength = 200;

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Property names on the wire are snake_case; unknown properties are ignored so that later
    /// versions can add fields.</summary>
    public static readonly JsonSerializerOptions WireOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
    };

    // The envelope is read as deep as the document may be, so that params nested too deeply for their type are
    // the params' fault (-32602, in ReadPayload), not the envelope's.
    // Declared after WireOptions, which it copies (static fields initialise in order).
    private static readonly JsonSerializerOptions EnvelopeOptions = new(WireOptions) { MaxDepth = 64 };

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

    /// <summary>An error reply. Its message is cut to <see cref="MaxErrorMessageLength"/> characters: whatever a
    /// handler put in it, an error never echoes unbounded input back (nor grows past one custom message).</summary>
    public static JsonRpcEnvelope Failure(string? id, ProtocolErrorCode code, string message) => new()
    {
        Id = id,
        Error = new JsonRpcError((int)code, message.Length <= MaxErrorMessageLength ? message : message[..(MaxErrorMessageLength - 1)] + "…"),
    };

    /// <summary>Reads a payload. Throws <see cref="ProtocolException"/> (ParseError or InvalidRequest) for anything
    /// malformed. The structure is checked on the parsed document before it is bound to an envelope, so a batch, a
    /// method or id of the wrong type is an invalid request (-32600), and only bytes that are not UTF-8 JSON are a
    /// parse error (-32700).</summary>
    public static JsonRpcEnvelope Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > PeerProtocol.MaxMessageBytes)
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidRequest, "The message is larger than the protocol allows.");
        }

        JsonDocument document;
        try
        {
            // The decoder refuses invalid UTF-8 that the JSON reader would let through inside strings.
            _ = StrictUtf8.GetCharCount(payload);
            document = JsonDocument.Parse(payload.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException)
        {
            throw new ProtocolException(ProtocolErrorCode.ParseError, "The message is not valid UTF-8 JSON.", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                // LSPS0 and this protocol carry one request per message; a batch would multiply one message's work.
                throw new ProtocolException(ProtocolErrorCode.InvalidRequest, "Batches are not supported: send one request per message.");
            }

            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
            {
                throw new ProtocolException(ProtocolErrorCode.InvalidRequest, "The message is not JSON-RPC 2.0.");
            }

            // Ids are strings (128 random bits in hex, docs/protocol.md): a number, null or missing id is refused.
            if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: >= 1 and <= MaxIdLength })
            {
                throw new ProtocolException(ProtocolErrorCode.InvalidRequest, $"The message has no usable id: ids are strings of 1 to {MaxIdLength} characters.");
            }

            if (root.TryGetProperty("method", out var method) && method.ValueKind != JsonValueKind.String)
            {
                throw new ProtocolException(ProtocolErrorCode.InvalidRequest, "The method must be a string.");
            }

            JsonRpcEnvelope? envelope;
            try
            {
                envelope = root.Deserialize<JsonRpcEnvelope>(EnvelopeOptions);
            }
            catch (JsonException e)
            {
                throw new ProtocolException(ProtocolErrorCode.InvalidRequest, "The message does not have JSON-RPC 2.0's shape.", e);
            }

            var isResponse = envelope!.Result is not null || envelope.Error is not null;
            if (envelope.IsRequest == isResponse)
            {
                throw new ProtocolException(ProtocolErrorCode.InvalidRequest, "A message must be either a request or a response.");
            }

            return envelope;
        }
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
            return RequiredParams.Check(value.Deserialize<T>(WireOptions)
                ?? throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"Empty {typeof(T).Name}."));
        }
        catch (JsonException e)
        {
            // JSON's own message names the path, which is made of the peer's property names: never echoed.
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"The {typeof(T).Name} does not have the expected fields.", e);
        }
    }
}
