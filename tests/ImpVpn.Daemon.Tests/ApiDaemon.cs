using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using ImpVpn.Core.Daemon;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Selling;

namespace ImpVpn.Daemon.Tests;

/// <summary>alice's impvpnd serving the API (config-only purchases), bob selling on the simulator in this process
/// (3600 sat an hour, config-only), and what a client of the API holds: the token, a plain HttpClient, a gRPC
/// channel.</summary>
internal sealed class ApiDaemon : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private ApiDaemon(DaemonNetwork net, LndNode bobNode, VpnSeller seller, DaemonProcess daemon, string token, int httpPort, int grpcPort, string? pinnedCertPath)
    {
        Net = net;
        _bobNode = bobNode;
        _seller = seller;
        Daemon = daemon;
        Token = token;
        var scheme = pinnedCertPath is null ? "http" : "https";
        // One handler each: a gRPC channel takes over its handler's connection callback.
        Http = pinnedCertPath is null ? new HttpClient() : new HttpClient(Pinned(pinnedCertPath));
        Http.BaseAddress = new Uri($"{scheme}://127.0.0.1:{httpPort}/");
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Channel = GrpcChannel.ForAddress($"{scheme}://127.0.0.1:{grpcPort}", new GrpcChannelOptions { HttpHandler = pinnedCertPath is null ? null : Pinned(pinnedCertPath), DisposeHttpClient = true });
        HttpPort = httpPort;
    }

    private readonly LndNode _bobNode;
    private readonly VpnSeller _seller;

    public DaemonNetwork Net { get; }

    public DaemonProcess Daemon { get; }

    public string Token { get; }

    public HttpClient Http { get; }

    public GrpcChannel Channel { get; }

    public int HttpPort { get; }

    /// <summary>The token as a gRPC client sends it.</summary>
    public Metadata Credentials => new() { { "authorization", "Bearer " + Token } };

    /// <param name="tls">serve both protocols on one port with the daemon's self-signed certificate, which the
    /// client pins as an LND client pins tls.cert.</param>
    public static async Task<ApiDaemon> StartAsync(long maxPriceSat = 4000, bool tls = false, TimeSpan? quoteDuration = null, long budgetSat = 1_000_000,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var net = await DaemonNetwork.StartAsync();
        var bob = await LndNode.ConnectAsync(DaemonNetwork.Options(net.Simulation["bob"]), true, CancellationToken.None);
        var seller = new VpnSeller(bob, null, net.Store("bob"), new SellerOptions
        {
            InterfaceName = "dmnA0",
            Endpoint = "203.0.113.5:51820",
            ConfigOnly = true,
            Pricing = new Pricing(3600, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
        });
        await seller.StartAsync(CancellationToken.None);
        var httpPort = FreePort();
        var grpcPort = tls ? httpPort : FreePort();
        var configuration = net.Configuration("alice");
        configuration.Api = new ApiSection
        {
            Enabled = true,
            Listen = $"127.0.0.1:{httpPort}",
            GrpcListen = $"127.0.0.1:{grpcPort}",
            MaxPriceSat = maxPriceSat,
            BudgetSat = budgetSat,
            QuoteDuration = quoteDuration ?? TimeSpan.FromHours(1),
            RefreshDuration = TimeSpan.FromMinutes(10),
            ConfigOnly = true,
            SelfSignedTls = tls,
        };
        var daemon = DaemonProcess.Start(net.Write(configuration), DaemonNetwork.NotifyPath(), environment ?? new Dictionary<string, string>());
        try
        {
            await daemon.NotificationsUntilAsync("READY=1", Wait);
            var token = (await File.ReadAllTextAsync(Path.Combine(net.StorePath("alice"), "keys", "api.token"))).Trim();
            return new ApiDaemon(net, bob, seller, daemon, token, httpPort, grpcPort, tls ? Path.Combine(net.StorePath("alice"), "keys", "api-tls.cert") : null);
        }
        catch
        {
            // A start that fails past this point must not leave the daemon running after the test.
            daemon.Dispose();
            await seller.StopAsync(CancellationToken.None);
            await seller.DisposeAsync();
            await bob.DisposeAsync();
            await net.DisposeAsync();
            throw;
        }
    }

    /// <summary>POSTs a JSON body as a script would (no generated types) and returns the status and body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json, HttpClient? client = null)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await (client ?? Http).PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await BodyAsync(response));
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, HttpClient? client = null)
    {
        using var response = await (client ?? Http).GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await BodyAsync(response));
    }

    /// <summary>Reads GET /v1/vpn/events until an event of <paramref name="kind"/> (or failed) for
    /// <paramref name="id"/> is there (bounded); fails the test on a failed event.</summary>
    public async Task<JsonElement> EventAsync(string kind, string id)
    {
        JsonElement found = default;
        await Eventually.HoldsAsync(async () =>
        {
            var (status, body) = await GetAsync("v1/vpn/events?since=0");
            Assert.Equal(HttpStatusCode.OK, status);
            foreach (var e in body.GetProperty("events").EnumerateArray())
            {
                if (e.GetProperty("id").GetString() == id && e.GetProperty("kind").GetString() is { } k && (k == kind || k == "failed"))
                {
                    found = e;
                    return true;
                }
            }

            return false;
        }, Wait, $"a {kind} event for {id}");
        Assert.True(found.GetProperty("kind").GetString() == kind, $"Expected {kind} for {id}, got {found}");
        return found;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        Daemon.Dispose();
        await _seller.StopAsync(CancellationToken.None);
        await _seller.DisposeAsync();
        await _bobNode.DisposeAsync();
        await Net.DisposeAsync();
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A handler that trusts exactly the certificate in <paramref name="certPath"/>.</summary>
    public static SocketsHttpHandler Pinned(string certPath)
    {
        var pinned = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
        return new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData),
            },
        };
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
