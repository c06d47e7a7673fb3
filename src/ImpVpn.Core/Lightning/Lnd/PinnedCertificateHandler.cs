using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>
/// TLS for LND: its certificate is self-signed, so no CA can vouch for it. The connection is accepted when the
/// server presents exactly the pinned tls.cert, and refused otherwise — whatever the host name.
/// Remembers whether the latest handshake was refused, so that failure can be reported as a certificate problem, not
/// as "unreachable" — and a later failure after a good handshake is not blamed on the certificate.
/// </summary>
internal sealed class PinnedCertificateHandler
{
    private readonly byte[]? _pinned;

    public PinnedCertificateHandler(byte[]? pinned) => _pinned = pinned;

    /// <summary>Whether the most recent handshake ended with this handler refusing the server's certificate. Cleared
    /// when a new connection starts, so a later failure to connect at all (the node down) is not blamed on a
    /// certificate refused before.</summary>
    public bool LastHandshakeRefused { get; private set; }

    /// <summary>True when a tls.cert is pinned; false when the system's CAs judge the certificate (lndconnect without cert).</summary>
    public bool IsPinned => _pinned is not null;

    public SocketsHttpHandler CreateHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate },
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        // LND (grpc-go, client-allow-ping-without-stream=false by default) counts pings on a connection without
        // calls as abuse and closes it with GOAWAY after a few: ping only while a call or stream is open.
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        ConnectCallback = ConnectAsync,
    };

    // SocketsHttpHandler's own connect (a TCP socket to the endpoint, no delay), after clearing the last refusal.
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        LastHandshakeRefused = false;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        bool accepted;
        if (_pinned is null)
        {
            // lndconnect without a cert: the node has a CA-signed certificate; ordinary validation applies.
            accepted = errors == SslPolicyErrors.None;
        }
        else
        {
            accepted = certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(_pinned);
        }

        LastHandshakeRefused = !accepted;
        return accepted;
    }
}
