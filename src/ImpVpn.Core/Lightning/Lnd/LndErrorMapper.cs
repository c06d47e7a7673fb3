using Grpc.Core;

namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>Turns gRPC failures into ImpVpn's typed Lightning exceptions: messages say what happened, the typed
/// properties (address, reason) let the caller say what to do about it.</summary>
internal static class LndErrorMapper
{
    // What LND says when it refuses a macaroon: missing, undecodable, or signed by another node's root key.
    private static readonly string[] MacaroonRefusals =
        ["macaroon", "verification failed: signature mismatch", "permission denied"];

    public static LightningException Map(RpcException e, string method, LndConnectionOptions options, PinnedCertificateHandler tls)
    {
        var detail = e.Status.Detail ?? string.Empty;
        // Grpc.Net.Client reports most transport failures as Unavailable, but a connection the node closes while a
        // call starts (LND shutting down: HTTP/2 GOAWAY) as Internal with the HttpRequestException attached.
        var transportFailure = e.StatusCode == StatusCode.Internal
            && (e.Status.DebugException is HttpRequestException || detail.Contains("SSL", StringComparison.OrdinalIgnoreCase));
        if (e.StatusCode == StatusCode.Unavailable || transportFailure)
        {
            var address = options.RpcAddress;
            if (!tls.LastHandshakeRefused && !HandshakeFailed(e))
            {
                return new NodeUnreachableException(address, $"Cannot reach LND at {address}: {Simplify(detail)}", e);
            }

            return tls.IsPinned
                ? new CertificateMismatchException(CertificateProblem.DiffersFromPinned,
                    $"The node at {address} presented a TLS certificate other than the pinned tls.cert.", address, inner: e)
                : new CertificateMismatchException(CertificateProblem.NotPinned,
                    $"The node at {address} presented a TLS certificate that no trusted authority vouches for, and no tls.cert was " +
                    "given to compare it with (LND's own certificate is self-signed).", address, inner: e);
        }

        // Grpc.Net.Client refuses an answer above MaxReceiveMessageSize with ResourceExhausted ("Received message
        // exceeds the maximum configured message size."): the node answered, too much (a mainnet DescribeGraph).
        if (e.StatusCode == StatusCode.ResourceExhausted && detail.Contains("message size", StringComparison.OrdinalIgnoreCase))
        {
            return new ResponseTooLargeException(method, LndNode.MaxReceiveMessageSize,
                $"LND's answer to {method} is larger than the {LndNode.MaxReceiveMessageSize / (1024 * 1024)} MB this client takes (LND's own limit): nothing of it was used.", e);
        }

        if (MacaroonRefusals.Any(text => detail.Contains(text, StringComparison.OrdinalIgnoreCase))
            || e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            return new MacaroonException(MacaroonProblem.Refused, $"LND refused the macaroon for {method}: {detail}", inner: e);
        }

        return new LightningRpcException(method, e.StatusCode.ToString(), detail, e);
    }

    /// <summary>Whether this very failure is a TLS handshake the client ended (its certificate check said no). The
    /// handler's flag alone can be cleared by another connection of the same client starting meanwhile (a stream and
    /// a call side by side), so the exception's own chain is read too.</summary>
    private static bool HandshakeFailed(RpcException e) => RpcFailureCause.Has<System.Security.Authentication.AuthenticationException>(e);

    private static string Simplify(string detail)
    {
        var cut = detail.IndexOf(" DebugException", StringComparison.Ordinal);
        return cut > 0 ? detail[..cut] : detail;
    }
}
