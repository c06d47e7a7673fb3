using System.Security.Cryptography.X509Certificates;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using ImpVpn.Lnd.Rpc.Invoicesrpc;
using ImpVpn.Lnd.Rpc.Routerrpc;
using ImpVpn.LndSim.Hosting;

namespace ImpVpn.Lightning.Tests;

/// <summary>LND's own generated gRPC clients for one simulated node, as any LND client would make them, to read
/// answers field by field: TLS pinned to exactly the certificate given (as LND clients pin tls.cert), the macaroon
/// given hex-encoded in metadata.</summary>
internal sealed class RawLnd : IDisposable
{
    private readonly GrpcChannel _channel;

    /// <summary>Reads the node's tls.cert and admin.macaroon now; later changes to the files do not reach this client.</summary>
    public RawLnd(SimNode node)
        : this(node, File.ReadAllText(node.TlsCertPath), File.ReadAllBytes(node.MacaroonPath))
    {
    }

    private RawLnd(SimNode node, string certificatePem, byte[] macaroon)
    {
        var pinned = X509Certificate2.CreateFromPem(certificatePem);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback =
            (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData);
        _channel = GrpcChannel.ForAddress($"https://{node.RpcAddress}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        var hex = Convert.ToHexString(macaroon).ToLowerInvariant();
        var invoker = _channel.Intercept(metadata =>
        {
            metadata.Add("macaroon", hex);
            return metadata;
        });
        Lightning = new ImpVpn.Lnd.Rpc.Lnrpc.Lightning.LightningClient(invoker);
        Router = new Router.RouterClient(invoker);
        Invoices = new Invoices.InvoicesClient(invoker);
        Peers = new ImpVpn.Lnd.Rpc.Peersrpc.Peers.PeersClient(invoker);
    }

    public ImpVpn.Lnd.Rpc.Lnrpc.Lightning.LightningClient Lightning { get; }

    public Router.RouterClient Router { get; }

    public Invoices.InvoicesClient Invoices { get; }

    public ImpVpn.Lnd.Rpc.Peersrpc.Peers.PeersClient Peers { get; }

    public static RawLnd Connect(SimNode node) => new(node);

    /// <summary>A client holding the certificate and macaroon given (old ones, say, after the node changed its files).</summary>
    public static RawLnd Connect(SimNode node, string certificatePem, byte[] macaroon) => new(node, certificatePem, macaroon);

    public void Dispose() => _channel.Dispose();
}
