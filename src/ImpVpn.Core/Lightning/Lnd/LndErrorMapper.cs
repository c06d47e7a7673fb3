using Grpc.Core;

namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>Turns gRPC failures into ImpVpn's typed Lightning exceptions, with messages a node operator can act on.</summary>
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
            return tls.LastHandshakeRefused
                ? new CertificateMismatchException(tls.IsPinned
                    ? $"The node at {options.Host}:{options.Port} presented a TLS certificate other than the pinned tls.cert. " +
                      "If LND regenerated its certificate, point ImpVpn at the new tls.cert."
                    : $"The node at {options.Host}:{options.Port} presented a TLS certificate that no trusted authority vouches for. " +
                      "LND's own certificate is self-signed: give its tls.cert (the lndconnect URI's cert parameter, or -TlsCertPath).", e)
                : new NodeUnreachableException($"Cannot reach LND at {options.Host}:{options.Port}: {Simplify(detail)}", e);
        }

        if (MacaroonRefusals.Any(text => detail.Contains(text, StringComparison.OrdinalIgnoreCase))
            || e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            return new MacaroonException($"LND refused the macaroon for {method}: {detail}", e);
        }

        return new LightningRpcException(method, e.StatusCode.ToString(), detail, e);
    }

    private static string Simplify(string detail)
    {
        var cut = detail.IndexOf(" DebugException", StringComparison.Ordinal);
        return cut > 0 ? detail[..cut] : detail;
    }
}
