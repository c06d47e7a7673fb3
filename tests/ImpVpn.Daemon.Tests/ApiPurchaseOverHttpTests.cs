using System.Net;
using ImpVpn.Core.Buying;

namespace ImpVpn.Daemon.Tests;

/// <summary>The seed's HTTP bindings as a script uses them (issue 14's "Done when"): POST /v1/vpn/quote, the quote
/// read from the events, POST /v1/vpn/contract with its nonce and price, and a paid contract, with JSON strings
/// and a plain HttpClient only. The same quote accepted again pays nothing more.</summary>
public sealed class ApiPurchaseOverHttpTests
{
    [Fact]
    public async Task A_purchase_through_post_quote_and_post_contract_ends_in_a_paid_contract()
    {
        await using var api = await ApiDaemon.StartAsync();
        var bob = api.Net.BobPubKey;
        var before = api.Net.AliceMsat;

        var (status, body) = await api.PostAsync("v1/vpn/quote", $$"""{"pubkey":"{{bob}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var quoteId = body.GetProperty("id").GetString()!;
        var quote = await api.EventAsync("quote_received", quoteId);
        var nonce = quote.GetProperty("nonce").GetString()!;
        var price = quote.GetProperty("price").GetString()!;
        Assert.Equal("3600", price);
        Assert.Equal(bob, quote.GetProperty("pubkey").GetString());

        (status, body) = await api.PostAsync("v1/vpn/contract", $$"""{"pubkey":"{{bob}}","nonce":"{{nonce}}","price":"{{price}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var acceptId = body.GetProperty("id").GetString()!;
        Assert.NotEqual(quoteId, acceptId);
        var paid = await api.EventAsync("contract_paid", acceptId);
        var contractId = paid.GetProperty("contractId").GetString()!;

        var contract = api.Net.AliceContracts.Get(contractId);
        Assert.Equal(BoughtContractState.Active, contract.State);
        Assert.Equal(nonce, contract.Nonce);
        Assert.Equal(contract.BuyerTunnelAddress, paid.GetProperty("tunnelAddress").GetString());
        Assert.False(string.IsNullOrEmpty(contract.Preimage));
        var spent = before - api.Net.AliceMsat;
        Assert.InRange(spent, 3_600_000, 3_610_000);

        // The same quote again: refused, and nothing more is paid.
        (status, body) = await api.PostAsync("v1/vpn/contract", $$"""{"pubkey":"{{bob}}","nonce":"{{nonce}}","price":"{{price}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("already accepted", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before - spent, api.Net.AliceMsat);
        Assert.Single(api.Net.AliceContracts.All());

        // The extras see it: the tunnel list and the tunnel by id.
        (status, body) = await api.GetAsync("v1/vpn/tunnels");
        Assert.Equal(HttpStatusCode.OK, status);
        var listed = Assert.Single(body.GetProperty("tunnels").EnumerateArray());
        Assert.Equal(contractId, listed.GetProperty("id").GetString());
        (status, body) = await api.GetAsync($"v1/vpn/tunnels/{contractId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Active", body.GetProperty("state").GetString());
        (status, _) = await api.GetAsync("v1/vpn/tunnels/nosuchcontract");
        Assert.Equal(HttpStatusCode.NotFound, status);

        // The event stream over plain HTTP: one JSON object per line, from the sequence asked for on.
        using var stop = new CancellationTokenSource(ApiDaemon.Wait);
        using var streamed = await api.Http.GetAsync(new Uri("v1/vpn/events/stream?since=2", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stop.Token);
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        using var reader = new StreamReader(await streamed.Content.ReadAsStreamAsync(stop.Token));
        var line = await reader.ReadLineAsync(stop.Token);
        using var first = System.Text.Json.JsonDocument.Parse(line!);
        Assert.Equal("contract_paid", first.RootElement.GetProperty("kind").GetString());
        Assert.Equal(acceptId, first.RootElement.GetProperty("id").GetString());
    }
}
