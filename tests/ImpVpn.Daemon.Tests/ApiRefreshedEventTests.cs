using System.Net;

namespace ImpVpn.Daemon.Tests;

/// <summary>The refreshed event says what the refresh cost and added, not what the client offered: a ceiling above
/// the seller's price is paid at the seller's price, and the event carries that price.</summary>
public sealed class ApiRefreshedEventTests
{
    [Fact]
    public async Task The_refreshed_event_reports_the_sellers_price_not_the_clients_ceiling()
    {
        await using var api = await ApiDaemon.StartAsync();
        var bob = api.Net.BobPubKey;
        var (_, body) = await api.PostAsync("v1/vpn/quote", $$"""{"pubkey":"{{bob}}"}""");
        var quote = await api.EventAsync("quote_received", body.GetProperty("id").GetString()!);
        (_, body) = await api.PostAsync("v1/vpn/contract", $$"""{"pubkey":"{{bob}}","nonce":"{{quote.GetProperty("nonce").GetString()}}","price":"3600"}""");
        var paid = await api.EventAsync("contract_paid", body.GetProperty("id").GetString()!);
        var contractId = paid.GetProperty("contractId").GetString()!;

        // Api.RefreshDuration is 10 minutes, which bob sells for 600 sat; the client agrees to up to 1500.
        var before = api.Net.AliceMsat;
        var (status, refresh) = await api.PostAsync("v1/vpn/refresh", $$"""{"pubkey":"{{bob}}","nonce":"{{contractId}}","price":"1500"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var refreshed = await api.EventAsync("refreshed", refresh.GetProperty("id").GetString()!);

        Assert.Equal("600", refreshed.GetProperty("price").GetString());
        Assert.Equal("00:10:00", refreshed.GetProperty("duration").GetString());
        Assert.InRange(before - api.Net.AliceMsat, 600_000, 610_000);
    }
}
