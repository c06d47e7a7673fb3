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

    /// <summary>The buyer's payment has not reached the seller whole yet (its hold invoice is still open): ask again.
    /// Never remembered as the answer to a request, since the same request will be answered otherwise soon.</summary>
    PaymentNotYetHeld = 1012,

    /// <summary>The quote asked for a mode or address family this seller does not sell; the message names what it
    /// sells. Final: asking the same again gets the same answer.</summary>
    OfferNotSold = 1013,

    /// <summary>A port forward's claim: the seller's connect-back to its public port did not reach the buyer's
    /// Lightning p2p port (nothing listens on the buyer's tunnel address yet, or its replies do not go back through
    /// the tunnel). Nothing was settled: the buyer fixes that and claims again until the claim deadline. Never
    /// remembered.</summary>
    ForwardedPortUnreachable = 1014,
}

/// <summary>Which answers are "not yet" rather than final: the request ran nothing, so the caller may send it again
/// and the endpoint does not remember the answer for retries.</summary>
public static class ProtocolErrorCodes
{
    public static bool IsNotYet(ProtocolErrorCode code) => code is ProtocolErrorCode.RateLimited or ProtocolErrorCode.PaymentNotYetHeld or ProtocolErrorCode.ForwardedPortUnreachable;
}

/// <summary>A protocol-level failure: a malformed message, or an error the other side answered with.</summary>
public sealed class ProtocolException(ProtocolErrorCode code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ProtocolErrorCode Code { get; } = code;
}
