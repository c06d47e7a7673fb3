using System.Net;
using ImpVpn.Core.Daemon;

namespace ImpVpn.Daemon.Tests;

/// <summary>The configuration's Api section: off by default; when on, every refusal names its key, above all an
/// address beyond loopback without TLS and a missing spending ceiling; a usable one gives the cmdlets' BuyerOptions.</summary>
public sealed class ApiConfigurationCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dmn-api-config-").FullName;

    [Theory]
    [InlineData("Api.Listen", "0.0.0.0:8089")]
    [InlineData("Api.Listen", "192.0.2.7:8089")]
    [InlineData("Api.GrpcListen", "[::]:8090")]
    [InlineData("Api.Listen", "localhost:8089")]
    [InlineData("Api.Listen", "127.0.0.1")]
    [InlineData("Api.Listen", "127.0.0.1:0")]
    [InlineData("Api.GrpcListen", "127.0.0.1:8089")]
    [InlineData("Api.MaxPriceSat", null)]
    [InlineData("Api.MaxPriceSat", "0")]
    [InlineData("Api.BudgetSat", null)]
    [InlineData("Api.BudgetSat", "0")]
    [InlineData("Api.BudgetPeriod", "00:00:00")]
    [InlineData("Api.MaxRoutingFeeSat", "-1")]
    [InlineData("Api.QuoteDuration", "-00:01:00")]
    [InlineData("Api.RefreshDuration", "00:00:00")]
    [InlineData("Api.QuoteMode", "Tunnel")]
    [InlineData("Api.QuoteAddressFamily", "4")]
    [InlineData("Api.TokenPath", "api.token")]
    [InlineData("Api.TlsKeyPath", "cert only")]
    [InlineData("Api.TlsCertPath", "missing")]
    [InlineData("Api.SelfSignedTls", "and files")]
    public void A_bad_api_value_is_refused_naming_its_key(string key, string? value)
    {
        var file = Usable();
        var api = file.Api;
        switch (key)
        {
            case "Api.Listen": api.Listen = value!; break;
            case "Api.GrpcListen": api.GrpcListen = value!; break;
            case "Api.MaxPriceSat": api.MaxPriceSat = value is null ? null : long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Api.BudgetSat": api.BudgetSat = value is null ? null : long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Api.BudgetPeriod": api.BudgetPeriod = TimeSpan.Parse(value!, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Api.MaxRoutingFeeSat": api.MaxRoutingFeeSat = long.Parse(value!, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Api.QuoteDuration": api.QuoteDuration = TimeSpan.Parse(value!, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Api.RefreshDuration": api.RefreshDuration = TimeSpan.Parse(value!, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Api.QuoteMode": api.QuoteMode = value!; break;
            case "Api.QuoteAddressFamily": api.QuoteAddressFamily = value!; break;
            case "Api.TokenPath": api.TokenPath = value; break;
            case "Api.TlsKeyPath": api.TlsCertPath = Path.Combine(_folder, "tls.cert"); break;
            case "Api.TlsCertPath": api.TlsCertPath = Path.Combine(_folder, "missing.cert"); api.TlsKeyPath = Path.Combine(_folder, "tls.cert"); break;
            case "Api.SelfSignedTls": api.SelfSignedTls = true; api.TlsCertPath = Path.Combine(_folder, "tls.cert"); api.TlsKeyPath = Path.Combine(_folder, "tls.cert"); break;
        }

        var refused = Assert.Throws<DaemonConfigurationException>(() => DaemonConfigurationCheck.Check(file));
        Assert.Equal(key, refused.Key);
        Assert.StartsWith(key + ": ", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Beyond_loopback_without_tls_is_refused_and_with_tls_allowed()
    {
        var file = Usable();
        file.Api.Listen = "0.0.0.0:8089";
        var refused = Assert.Throws<DaemonConfigurationException>(() => DaemonConfigurationCheck.Check(file));
        Assert.Contains("only over TLS", refused.Message, StringComparison.Ordinal);

        file.Api.SelfSignedTls = true;
        file.Api.GrpcListen = "0.0.0.0:8089";
        var api = DaemonConfigurationCheck.Check(file).Api!;
        Assert.True(api.Tls!.SelfSigned);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 8089), api.GrpcListen);
    }

    [Fact]
    public void The_api_is_off_unless_enabled_and_a_daemon_with_only_the_api_runs()
    {
        var file = UsableConfiguration.In(_folder);
        Assert.Null(DaemonConfigurationCheck.Check(file).Api);

        file = Usable();
        file.Seller.Enabled = false;
        file.Refresh.Enabled = false;
        var settings = DaemonConfigurationCheck.Check(file);
        var api = settings.Api!;
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8089), api.Listen);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8090), api.GrpcListen);
        Assert.Null(api.Tls);
        Assert.Equal(Path.Combine(settings.StorePath, "keys", "api.token"), api.TokenPath);
        Assert.Equal(2500, api.Buyer.MaxPriceSat);
        Assert.Equal(25_000, api.BudgetSat);
        Assert.Equal(TimeSpan.FromDays(30), api.BudgetPeriod);
        Assert.Equal(TimeSpan.FromHours(1), api.QuoteDuration);
        Assert.Equal(new ImpVpn.Core.Protocol.TunnelOffer("ipv4", "node-to-node"), api.Offer);
    }

    [Fact]
    public void An_unknown_api_key_in_the_file_is_refused_naming_it()
    {
        var path = Path.Combine(_folder, "impvpnd.json");
        File.WriteAllText(path, """{ "Api": { "Enabled": true, "MaxPriceSats": 10 } }""");
        var refused = Assert.Throws<DaemonConfigurationException>(() => DaemonConfigurationFile.Read(path));
        Assert.StartsWith("Api.MaxPriceSats", refused.Key, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private DaemonConfigurationFile Usable()
    {
        var file = UsableConfiguration.In(_folder);
        file.Api = new ApiSection { Enabled = true, MaxPriceSat = 2500, BudgetSat = 25_000 };
        return file;
    }
}
