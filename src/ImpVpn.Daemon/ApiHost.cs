using System.Net;
using System.Security.Cryptography;
using ImpVpn.Core.Daemon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImpVpn.Daemon;

/// <summary>
/// The API as part of the daemon's host: Kestrel on the configured endpoints (TLS where configured; without TLS
/// HTTP/1.1 on Api.Listen and h2c on Api.GrpcListen, since a cleartext port cannot offer both), the two gRPC
/// services with JSON transcoding (the seed's google.api.http bindings), and the token checked on every call.
/// </summary>
internal static class ApiHost
{
    public static void Configure(WebApplicationBuilder builder, DaemonSettings settings, ApiSettings api)
    {
        var token = Loaded(() => ApiToken.LoadOrCreate(api.TokenPath), "Api.TokenPath");
        var certificate = api.Tls is { } tls
            ? Loaded(() => ApiTlsCertificate.Load(tls, settings.StorePath, [api.Listen.Address, api.GrpcListen.Address]), tls.SelfSigned ? "Api.SelfSignedTls" : "Api.TlsCertPath")
            : null;
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // An empty configuration in place of the host's "Kestrel" section: endpoints given there (environment
            // variables such as Kestrel__Endpoints__X__Url, an appsettings file) would be served beside these and
            // skip the loopback-or-TLS check. Only the checked Api.Listen and Api.GrpcListen are listened on.
            kestrel.Configure(new ConfigurationBuilder().Build(), reloadOnChange: false);
            kestrel.AddServerHeader = false;
            foreach (var (endpoint, protocols) in Endpoints(api, certificate is not null))
            {
                kestrel.Listen(endpoint, listen =>
                {
                    listen.Protocols = protocols;
                    if (certificate is not null)
                    {
                        listen.UseHttps(certificate);
                    }
                });
            }
        });
        builder.Services.AddSingleton(token);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ApiQuoteBook>();
        builder.Services.AddSingleton(_ => new ApiEventLog(settings.StorePath));
        builder.Services.AddSingleton(_ => new ApiBudget(settings));
        builder.Services.AddSingleton<ApiBuying>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ApiBuying>());
        builder.Services.AddHostedService<ApiNodeAtStart>();
        builder.Services.AddHostedService<ApiExpiryWatch>();
        builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<ApiAuthentication>();
            options.Interceptors.Add<ApiStoreErrors>();
        }).AddJsonTranscoding();
    }

    // A token or certificate file that cannot be read or used (cut short, not PEM, a key that does not match, not
    // readable) is the configuration's fault, named by its key: the daemon exits with BadConfiguration and one line,
    // and the service manager does not restart it into the same failure.
    private static T Loaded<T>(Func<T> load, string key)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new DaemonConfigurationException(key, e.Message, e);
        }
    }

    public static void Map(WebApplication app, ApiSettings api)
    {
        app.Use(ApiAuthentication.RefuseHttpAsync);
        app.MapGrpcService<VpnService>();
        app.MapGrpcService<VpnExtrasService>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("impvpnd.api");
        var scheme = api.Tls is null ? "http" : "https";
        var (listen, grpcListen) = (api.Listen.ToString(), api.GrpcListen.ToString());
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            ApiLog.Listening(logger, scheme, listen, "HTTP/JSON", api.TokenPath);
            ApiLog.Listening(logger, scheme, grpcListen, "gRPC", api.TokenPath);
        });
    }

    private static IEnumerable<(IPEndPoint Endpoint, HttpProtocols Protocols)> Endpoints(ApiSettings api, bool tls)
    {
        if (tls)
        {
            // ALPN picks the protocol per connection: either port serves both.
            yield return (api.Listen, HttpProtocols.Http1AndHttp2);
            if (!api.GrpcListen.Equals(api.Listen))
            {
                yield return (api.GrpcListen, HttpProtocols.Http1AndHttp2);
            }
        }
        else
        {
            yield return (api.Listen, HttpProtocols.Http1);
            yield return (api.GrpcListen, HttpProtocols.Http2);
        }
    }
}
