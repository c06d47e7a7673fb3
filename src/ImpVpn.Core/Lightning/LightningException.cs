namespace ImpVpn.Core.Lightning;

/// <summary>Base of every failure talking to the operator's Lightning node. Messages never contain macaroons.</summary>
/// <remarks>Messages state what happened, in the core's terms, and never name a cmdlet or its parameters: the typed
/// properties (a path, an address, a reason) let the PowerShell layer say what to do about it.</remarks>
public class LightningException : Exception
{
    public LightningException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>The node could not be reached at all (nothing listening, DNS, TLS handshake never started).</summary>
public sealed class NodeUnreachableException(string address, string message, Exception? inner = null) : LightningException(message, inner)
{
    /// <summary>The node's RPC address that was tried, host:port.</summary>
    public string Address { get; } = address;
}

/// <summary>Why a node's TLS certificate was not accepted.</summary>
public enum CertificateProblem
{
    /// <summary>The node presented a certificate other than the pinned tls.cert (LND regenerated it, or another
    /// node answers at that address).</summary>
    DiffersFromPinned,

    /// <summary>No certificate was pinned and no trusted authority vouches for the node's (LND's own is self-signed).</summary>
    NotPinned,

    /// <summary>The certificate file is not a PEM certificate.</summary>
    NotACertificate,
}

/// <summary>The node's TLS certificate was not accepted, or the certificate to pin could not be read; see <see cref="Reason"/>.</summary>
public sealed class CertificateMismatchException : LightningException
{
    public CertificateMismatchException(CertificateProblem reason, string message, string? address = null, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        Address = address;
        Path = path;
    }

    public CertificateProblem Reason { get; }

    /// <summary>The node's RPC address (host:port) when the problem arose in the TLS handshake; otherwise null.</summary>
    public string? Address { get; }

    /// <summary>The certificate file when the problem is in the file (<see cref="CertificateProblem.NotACertificate"/>); otherwise null.</summary>
    public string? Path { get; }
}

/// <summary>There is no file at the path given for the node's TLS certificate. A <see cref="FileNotFoundException"/>,
/// so it is reported like any other missing file.</summary>
public sealed class TlsCertificateNotFoundException(string path)
    : FileNotFoundException($"LND's TLS certificate was not found at '{path}'.", path)
{
    /// <summary>The path that was looked at.</summary>
    public string Path { get; } = path;
}

/// <summary>Why a macaroon could not be used.</summary>
public enum MacaroonProblem
{
    /// <summary>There is no file at the macaroon path.</summary>
    FileMissing,

    /// <summary>The bytes cannot be a macaroon (empty, or far too large).</summary>
    NotAMacaroon,

    /// <summary>The file exists but this user may not read it.</summary>
    Unreadable,

    /// <summary>The lndconnect URI has no macaroon parameter.</summary>
    MissingFromUri,

    /// <summary>The node refused the macaroon: it belongs to another node, or lacks a permission the call needs.</summary>
    Refused,
}

/// <summary>The macaroon is missing, unreadable, or refused by the node; see <see cref="Reason"/>.</summary>
public sealed class MacaroonException : LightningException
{
    public MacaroonException(MacaroonProblem reason, string message, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        Path = path;
    }

    public MacaroonProblem Reason { get; }

    /// <summary>The macaroon file, when the macaroon came from one and the problem was found reading it; otherwise null.</summary>
    public string? Path { get; }
}

/// <summary>The node is not yet synced to the chain and cannot be used safely.</summary>
public sealed class NodeNotSyncedException(string identityPubKey, uint blockHeight)
    : LightningException($"LND {identityPubKey[..Math.Min(8, identityPubKey.Length)]}… is not synced to the chain yet (at block {blockHeight}).")
{
    public string IdentityPubKey { get; } = identityPubKey;

    /// <summary>The block height the node had reached.</summary>
    public uint BlockHeight { get; } = blockHeight;
}

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

/// <summary>The node answered more than the client takes in one message (a graph of a large network).</summary>
public sealed class ResponseTooLargeException(string method, int limitBytes, string message, Exception? inner = null) : LightningException(message, inner)
{
    public string Method { get; } = method;

    public int LimitBytes { get; } = limitBytes;
}

/// <summary>The node refused a call for another reason; Code is the gRPC status code's name.</summary>
public sealed class LightningRpcException(string method, string code, string detail, Exception? inner = null)
    : LightningException($"LND {method} failed ({code}): {detail}", inner)
{
    public string Method { get; } = method;

    public string Code { get; } = code;
}

/// <summary>The node cannot estimate a route's fee (Router.EstimateRouteFee is not implemented there, or the probe
/// itself failed without saying anything about the route): a caller goes on without an estimate.</summary>
public sealed class RouteProbeUnavailableException(string message, Exception? inner = null) : LightningException(message, inner);
