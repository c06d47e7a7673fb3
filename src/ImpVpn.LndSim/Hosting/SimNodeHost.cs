using System.Net;
using System.Security.Cryptography.X509Certificates;
using ImpVpn.LndSim.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImpVpn.LndSim.Hosting;

/// <summary>The gRPC endpoint of one simulated node: Kestrel, HTTP/2 over TLS with the node's own certificate,
/// on the node's bind address and port. Stopping it is how a node goes "down"; starting it again brings it back
/// on the same port.</summary>
internal sealed class SimNodeHost(NodeContext context, X509Certificate2 certificate, string bindAddress, int port) : IAsyncDisposable
{
    private WebApplication? _app;
    private X509Certificate2 _certificate = certificate;

    public int Port { get; private set; } = port;

    public bool IsRunning => _app is not null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(bindAddress), Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(_certificate);
            });
        });
        builder.Services.AddSingleton(context);
        builder.Services.AddGrpc(options => options.Interceptors.Add<MacaroonInterceptor>());
        var app = builder.Build();
        app.MapGrpcService<LightningService>();
        app.MapGrpcService<RouterService>();
        app.MapGrpcService<InvoicesService>();
        app.MapGrpcService<PeersService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Restarts the listener (if it runs) with another certificate, on the same port: how LND comes back
    /// after its tls.cert was regenerated. Connections made with the old certificate are closed.</summary>
    public async Task ReplaceCertificateAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var wasRunning = IsRunning;
        await StopAsync().ConfigureAwait(false);
        _certificate = certificate;
        if (wasRunning)
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
