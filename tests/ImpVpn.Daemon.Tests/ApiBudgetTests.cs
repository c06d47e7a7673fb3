using Grpc.Core;
using ImpVpn.Api.Rpc.Vpn;

namespace ImpVpn.Daemon.Tests;

/// <summary>Api.BudgetSat bounds what all calls together may spend (fees included): with a budget that holds two
/// purchases (3600 sat each and at most 36 sat of fee), the third is refused before anything is asked or paid.</summary>
public sealed class ApiBudgetTests
{
    [Fact]
    public async Task A_purchase_beyond_the_budget_is_refused_with_resource_exhausted_and_nothing_paid()
    {
        await using var api = await ApiDaemon.StartAsync(budgetSat: 8_000);
        var bob = api.Net.BobPubKey;
        var vpn = new VPN.VPNClient(api.Channel);
        for (var i = 0; i < 2; i++)
        {
            var (nonce, _) = await QuoteAsync(api);
            var accepted = await vpn.AcceptContractAsync(new AcceptContractRequest { Pubkey = bob, Nonce = nonce, Price = "3600" }, api.Credentials);
            await api.EventAsync("contract_paid", accepted.Id);
        }

        var before = api.Net.AliceMsat;
        var (third, _) = await QuoteAsync(api);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await vpn.AcceptContractAsync(new AcceptContractRequest { Pubkey = bob, Nonce = third, Price = "3600" }, api.Credentials));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Api.BudgetSat", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Nothing was paid", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, api.Net.AliceMsat);
        Assert.Equal(2, api.Net.AliceContracts.All().Count);
    }

    private static async Task<(string Nonce, string Price)> QuoteAsync(ApiDaemon api)
    {
        var (_, body) = await api.PostAsync("v1/vpn/quote", $$"""{"pubkey":"{{api.Net.BobPubKey}}"}""");
        var quote = await api.EventAsync("quote_received", body.GetProperty("id").GetString()!);
        return (quote.GetProperty("nonce").GetString()!, quote.GetProperty("price").GetString()!);
    }
}
