namespace ImpVpn.Core.Lightning;

/// <summary>Base of every failure talking to the operator's Lightning node. Messages never contain macaroons.</summary>
public class LightningException : Exception
{
    public LightningException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>The node could not be reached at all (nothing listening, DNS, TLS handshake never started).</summary>
public sealed class NodeUnreachableException(string message, Exception? inner = null) : LightningException(message, inner);

/// <summary>The node answered with a certificate other than the pinned tls.cert.</summary>
public sealed class CertificateMismatchException(string message, Exception? inner = null) : LightningException(message, inner);

/// <summary>The macaroon is missing, unreadable, or refused by the node.</summary>
public sealed class MacaroonException(string message, Exception? inner = null) : LightningException(message, inner);

/// <summary>The node is not yet synced to the chain (or graph) and cannot be used safely.</summary>
public sealed class NodeNotSyncedException(string message) : LightningException(message);

/// <summary>The node runs on another network (e.g. mainnet when regtest was asked for).</summary>
public sealed class WrongNetworkException(string expected, string actual)
    : LightningException($"The Lightning node is on '{actual}', but '{expected}' was asked for.")
{
    public string Expected { get; } = expected;

    public string Actual { get; } = actual;
}

/// <summary>A custom message was sent to a peer that is not connected (LND answers NotFound).</summary>
public sealed class PeerNotConnectedException(string pubKey, Exception? inner = null)
    : LightningException($"Peer {pubKey} is not connected.", inner)
{
    public string PubKey { get; } = pubKey;
}

/// <summary>The node refused a call for another reason; Code is the gRPC status code's name.</summary>
public sealed class LightningRpcException(string method, string code, string detail, Exception? inner = null)
    : LightningException($"LND {method} failed ({code}): {detail}", inner)
{
    public string Method { get; } = method;

    public string Code { get; } = code;
}
