using ImpVpn.LndSim.Crypto;

namespace ImpVpn.LndSim.Hosting;

/// <summary>
/// tls.cert regeneration, as LND does it when its certificate is deleted (or with tlsautorefresh, when it
/// expires or its addresses change) and it restarts: new key, new certificate, both files rewritten, and the
/// gRPC listener back on the same port with them. A client pinned to the old certificate fails its TLS
/// handshake until it reads the file again.
/// </summary>
public sealed partial class SimNode
{
    public async Task RegenerateTlsAsync(CancellationToken cancellationToken = default)
    {
        var fresh = TlsMaterial.Create(NodeDirectory, [Host]);
        var old = _certificate;
        await _host.ReplaceCertificateAsync(fresh, cancellationToken).ConfigureAwait(false);
        _certificate = fresh;
        old.Dispose();
    }
}
