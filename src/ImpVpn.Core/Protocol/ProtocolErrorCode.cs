namespace ImpVpn.Core.Protocol;

/// <summary>JSON-RPC error codes: the standard ones, then ImpVpn's own (docs/protocol.md lists them).</summary>
public enum ProtocolErrorCode
{
    ParseError = -32700,
    InvalidRequest = -32600,
    MethodNotFound = -32601,
    InvalidParams = -32602,
    InternalError = -32603,

    QuoteExpired = 1001,
    NonceReused = 1002,
    TermsMismatch = 1003,
    PoolExhausted = 1004,
    RateLimited = 1005,
    CapacityReached = 1006,
    UnknownContract = 1007,
    ProvisioningFailed = 1008,
    NotPaid = 1009,
    DurationOutOfRange = 1010,
    ContractExpired = 1011,
}

/// <summary>A protocol-level failure: a malformed message, or an error the other side answered with.</summary>
public sealed class ProtocolException(ProtocolErrorCode code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ProtocolErrorCode Code { get; } = code;
}
