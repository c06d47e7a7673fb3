using System.Net;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Daemon;

/// <summary>The configuration file's <c>Api</c>: the seed's API (vpn.VPN) and ImpVpn's extras, served by the daemon
/// over gRPC and HTTP/JSON (docs/api.md), e.g.
/// <c>"Api": { "Enabled": true, "MaxPriceSat": 5000, "BudgetSat": 50000 }</c>.</summary>
public sealed class ApiSection
{
    public bool Enabled { get; set; }

    /// <summary>IP address and port of the HTTP/JSON bindings (HTTP/1.1; with TLS also gRPC). Loopback unless TLS
    /// is configured.</summary>
    public string Listen { get; set; } = ApiConfigurationCheck.DefaultListen;

    /// <summary>IP address and port of the gRPC service (HTTP/2; with TLS also HTTP/JSON). Apart from
    /// <see cref="Listen"/> because without TLS a port cannot offer both: Kestrel chooses HTTP/2 only by TLS's ALPN
    /// (dotnet/aspnetcore#56984). With TLS it may be the same as Listen.</summary>
    public string GrpcListen { get; set; } = ApiConfigurationCheck.DefaultGrpcListen;

    /// <summary>The file holding the API's token (hex of 32 random bytes); created owner-only when missing.
    /// <c>&lt;StorePath&gt;/keys/api.token</c> when absent.</summary>
    public string? TokenPath { get; set; }

    /// <summary>TLS with a certificate (PEM) and its key (PEM) the operator made; both or neither.</summary>
    public string? TlsCertPath { get; set; }

    public string? TlsKeyPath { get; set; }

    /// <summary>TLS with a self-signed certificate the daemon makes once in the store (<c>keys/api-tls.cert</c>,
    /// <c>keys/api-tls.key</c>, owner-only), as LND makes its tls.cert.</summary>
    public bool SelfSignedTls { get; set; }

    /// <summary>The most one purchase or refresh through the API may cost, fees apart. Required when enabled: a
    /// client holding the token could otherwise spend without bound.</summary>
    public long? MaxPriceSat { get; set; }

    /// <summary>The most all purchases and refreshes through the API may cost in one <see cref="BudgetPeriod"/>,
    /// fees included. Required when enabled: MaxPriceSat bounds one call, not how many calls a token holder makes.
    /// Kept apart from Refresh.BudgetSat (its own ledger in the store).</summary>
    public long? BudgetSat { get; set; }

    public TimeSpan BudgetPeriod { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most a payment's routing fee may cost; the cmdlets' default (1%, at least 10 sat) when absent.</summary>
    public long? MaxRoutingFeeSat { get; set; }

    /// <summary>What RequestQuote asks for (the seed's message carries only the seller's key).</summary>
    public TimeSpan QuoteDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>"NodeToNode", "Exit" or "PortForward".</summary>
    public string QuoteMode { get; set; } = "NodeToNode";

    /// <summary>"IPv4", "IPv6" or "Dual".</summary>
    public string QuoteAddressFamily { get; set; } = "IPv4";

    /// <summary>How much longer RefreshContract makes a contract last.</summary>
    public TimeSpan RefreshDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Keep contracts and their WireGuard configuration, bring no interface up (as -ConfigOnly).</summary>
    public bool ConfigOnly { get; set; }
}

/// <summary>The API's TLS: a certificate and key given, or (both null) a self-signed pair kept in the store.</summary>
public sealed record ApiTls(string? CertPath, string? KeyPath)
{
    public bool SelfSigned => CertPath is null;
}

/// <summary>The API the daemon serves, checked (<see cref="ApiConfigurationCheck"/>).</summary>
/// <param name="Buyer">the spending ceilings every purchase and refresh through the API is held to.</param>
/// <param name="Listen">the HTTP/JSON endpoint.</param>
/// <param name="GrpcListen">the gRPC endpoint; equal to <paramref name="Listen"/> only with TLS (one endpoint then).</param>
/// <param name="BudgetSat">the most all purchases and refreshes through the API may cost per <paramref name="BudgetPeriod"/>, fees included.</param>
public sealed record ApiSettings(IPEndPoint Listen, IPEndPoint GrpcListen, string TokenPath, ApiTls? Tls, BuyerOptions Buyer, TimeSpan QuoteDuration, TunnelOffer Offer, TimeSpan RefreshDuration,
    long BudgetSat, TimeSpan BudgetPeriod);

/// <summary>Checks <see cref="ApiSection"/>, naming the key that is wrong.</summary>
internal static class ApiConfigurationCheck
{
    public const string DefaultListen = "127.0.0.1:8089";
    public const string DefaultGrpcListen = "127.0.0.1:8090";

    public static ApiSettings Check(ApiSection api, string storePath)
    {
        var listen = ParseListen(api.Listen, "Api.Listen");
        var grpcListen = ParseListen(api.GrpcListen, "Api.GrpcListen");
        var tls = CheckTls(api);
        foreach (var (endpoint, text, key) in new[] { (listen, api.Listen, "Api.Listen"), (grpcListen, api.GrpcListen, "Api.GrpcListen") })
        {
            if (tls is null && !IPAddress.IsLoopback(endpoint.Address))
            {
                // The token would cross the network in clear: anyone on the path could spend up to MaxPriceSat a call.
                throw new DaemonConfigurationException(key, $"{text} is not a loopback address: the API is served beyond this host only over TLS (set Api.SelfSignedTls, or Api.TlsCertPath and Api.TlsKeyPath).");
            }
        }

        if (tls is null && listen.Equals(grpcListen))
        {
            throw new DaemonConfigurationException("Api.GrpcListen", $"{api.GrpcListen} is also Api.Listen: without TLS one port cannot serve both HTTP/1.1 and gRPC's HTTP/2; give it another port.");
        }

        var tokenPath = api.TokenPath is null ? Path.Combine(storePath, "keys", "api.token") : DaemonConfigurationCheck.RequirePath(api.TokenPath, "Api.TokenPath");
        var maxPrice = api.MaxPriceSat ?? throw new DaemonConfigurationException("Api.MaxPriceSat",
            "is required when Api.Enabled is true: a client holding the token could otherwise spend without bound.");
        DaemonConfigurationCheck.RequireRange(maxPrice, 1, QuoteCheck.MaxSat, "Api.MaxPriceSat");
        var budget = api.BudgetSat ?? throw new DaemonConfigurationException("Api.BudgetSat",
            "is required when Api.Enabled is true: Api.MaxPriceSat bounds one call, not how many calls a client holding the token makes.");
        DaemonConfigurationCheck.RequireRange(budget, 1, QuoteCheck.MaxSat, "Api.BudgetSat");
        DaemonConfigurationCheck.RequirePositive(api.BudgetPeriod, "Api.BudgetPeriod");
        if (api.MaxRoutingFeeSat is { } maxFee)
        {
            DaemonConfigurationCheck.RequireRange(maxFee, 0, QuoteCheck.MaxSat, "Api.MaxRoutingFeeSat");
        }

        DaemonConfigurationCheck.RequirePositive(api.QuoteDuration, "Api.QuoteDuration");
        DaemonConfigurationCheck.RequirePositive(api.RefreshDuration, "Api.RefreshDuration");
        if (!DaemonConfigurationCheck.TryParseName<TunnelMode>(api.QuoteMode, out var mode))
        {
            throw new DaemonConfigurationException("Api.QuoteMode", $"'{api.QuoteMode}' is not a mode: \"NodeToNode\", \"Exit\" or \"PortForward\".");
        }

        if (!DaemonConfigurationCheck.TryParseName<TunnelAddressFamily>(api.QuoteAddressFamily, out var family))
        {
            throw new DaemonConfigurationException("Api.QuoteAddressFamily", $"'{api.QuoteAddressFamily}' is not an address family: \"IPv4\", \"IPv6\" or \"Dual\".");
        }

        var buyer = new BuyerOptions { MaxPriceSat = maxPrice, MaxRoutingFeeSat = api.MaxRoutingFeeSat, ConfigOnly = api.ConfigOnly };
        return new ApiSettings(listen, grpcListen, tokenPath, tls, buyer, api.QuoteDuration, TunnelOfferVocabulary.Offer(mode, family), api.RefreshDuration,
            budget, api.BudgetPeriod);
    }

    private static IPEndPoint ParseListen(string? listen, string key)
    {
        // An address, not a name: which interfaces a name resolves to is not something to find out at bind time.
        if (listen is null || !IPEndPoint.TryParse(listen, out var endpoint) || endpoint.Port == 0 || !listen.Contains(':', StringComparison.Ordinal)
            || listen.EndsWith(']') || (endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !listen.StartsWith('[')))
        {
            throw new DaemonConfigurationException(key, $"'{listen}' is not an IP address and port such as {DefaultListen} or [::1]:8089.");
        }

        return endpoint;
    }

    private static ApiTls? CheckTls(ApiSection api)
    {
        if (api.TlsCertPath is null && api.TlsKeyPath is null)
        {
            return api.SelfSignedTls ? new ApiTls(null, null) : null;
        }

        if (api.SelfSignedTls)
        {
            throw new DaemonConfigurationException("Api.SelfSignedTls", "is true while Api.TlsCertPath or Api.TlsKeyPath names a certificate: choose one.");
        }

        var cert = DaemonConfigurationCheck.RequirePath(api.TlsCertPath ?? throw new DaemonConfigurationException("Api.TlsCertPath", "is required when Api.TlsKeyPath is given."), "Api.TlsCertPath");
        var key = DaemonConfigurationCheck.RequirePath(api.TlsKeyPath ?? throw new DaemonConfigurationException("Api.TlsKeyPath", "is required when Api.TlsCertPath is given."), "Api.TlsKeyPath");
        DaemonConfigurationCheck.RequireFile(cert, "Api.TlsCertPath");
        DaemonConfigurationCheck.RequireFile(key, "Api.TlsKeyPath");
        return new ApiTls(cert, key);
    }
}
