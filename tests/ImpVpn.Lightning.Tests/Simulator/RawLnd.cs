using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using ImpVpn.LndSim.Hosting;
using LndLightning = ImpVpn.Lnd.Rpc.Lnrpc.Lightning;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>A bare lnrpc client for one simulated node, to read answers field by field: it trusts exactly the
/// certificate it was given (pinned, as LND clients pin tls.cert) and sends the macaroon it was given.</summary>
internal sealed class RawLnd : IDisposable
{
    private readonly GrpcChannel _channel;

    private RawLnd(GrpcChannel channel, CallInvoker invoker)
    {
        _channel = channel;
        Client = new LndLightning.LightningClient(invoker);
    }

    public LndLightning.LightningClient Client { get; }

    /// <summary>Reads the node's tls.cert and admin.macaroon now; later changes to the files do not reach this client.</summary>
    public static RawLnd Connect(SimNode node) =>
        Connect(node, File.ReadAllText(node.TlsCertPath), File.ReadAllBytes(node.MacaroonPath));

    public static RawLnd Connect(SimNode node, string certificatePem, byte[] macaroon)
    {
        var pinned = X509Certificate2.CreateFromPem(certificatePem);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback =
            (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData);
        var channel = GrpcChannel.ForAddress($"https://{node.RpcAddress}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        var hex = Convert.ToHexString(macaroon).ToLowerInvariant();
        var invoker = channel.Intercept(metadata =>
        {
            metadata.Add("macaroon", hex);
            return metadata;
        });
        return new RawLnd(channel, invoker);
    }

    public void Dispose() => _channel.Dispose();
}
