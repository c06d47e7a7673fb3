using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using ImpVpn.Lnd.Rpc.Invoicesrpc;
using ImpVpn.Lnd.Rpc.Routerrpc;
using ImpVpn.LndSim.Hosting;

namespace ImpVpn.Lightning.Tests;

/// <summary>LND's own generated gRPC clients for one simulated node, as any LND client would make them: TLS pinned
/// to the node's tls.cert, the macaroon hex-encoded in metadata.</summary>
internal sealed class RawLnd : IDisposable
{
    private readonly GrpcChannel _channel;

    public RawLnd(SimNode node)
    {
        var pinned = X509Certificate2.CreateFromPem(File.ReadAllText(node.TlsCertPath));
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.RawData.AsSpan().SequenceEqual(pinned.RawData),
        };
        _channel = GrpcChannel.ForAddress($"https://{node.RpcAddress}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        var macaroon = Convert.ToHexString(File.ReadAllBytes(node.MacaroonPath)).ToLowerInvariant();
        var invoker = _channel.Intercept(metadata =>
        {
            metadata.Add("macaroon", macaroon);
            return metadata;
        });
        Lightning = new ImpVpn.Lnd.Rpc.Lnrpc.Lightning.LightningClient(invoker);
        Router = new Router.RouterClient(invoker);
        Invoices = new Invoices.InvoicesClient(invoker);
    }

    public ImpVpn.Lnd.Rpc.Lnrpc.Lightning.LightningClient Lightning { get; }

    public Router.RouterClient Router { get; }

    public Invoices.InvoicesClient Invoices { get; }

    public void Dispose() => _channel.Dispose();
}
