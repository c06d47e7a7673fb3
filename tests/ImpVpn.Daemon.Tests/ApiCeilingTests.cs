using System.Net;
using Grpc.Core;
using ImpVpn.Api.Rpc.Vpn;

namespace ImpVpn.Daemon.Tests;

/// <summary>AcceptContract pays only a quote this daemon received, with its seller and price, and within
/// Api.MaxPriceSat: anything else is refused before the seller is asked to accept, and the balance does not move.</summary>
public sealed class ApiCeilingTests
{
    [Fact]
    public async Task A_price_above_the_ceiling_or_terms_not_matching_the_quote_are_refused_before_paying()
    {
        // 1000 sat at most; bob asks 3600 for the configured hour.
        await using var api = await ApiDaemon.StartAsync(maxPriceSat: 1000);
        var bob = api.Net.BobPubKey;
        var vpn = new VPN.VPNClient(api.Channel);
        var before = api.Net.AliceMsat;
        var (_, body) = await api.PostAsync("v1/vpn/quote", $$"""{"pubkey":"{{bob}}"}""");
        var quote = await api.EventAsync("quote_received", body.GetProperty("id").GetString()!);
        var nonce = quote.GetProperty("nonce").GetString()!;

        var above = await Refused(api, vpn, bob, nonce, "3600");
        Assert.Equal(StatusCode.FailedPrecondition, above.StatusCode);
        Assert.Contains("Api.MaxPriceSat", above.Status.Detail, StringComparison.Ordinal);
        var cheaper = await Refused(api, vpn, bob, nonce, "900");
        Assert.Equal(StatusCode.InvalidArgument, cheaper.StatusCode);
        var unknown = await Refused(api, vpn, bob, "00" + nonce, "3600");
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var otherSeller = await Refused(api, vpn, api.Net.Simulation["alice"].PubKey, nonce, "3600");
        Assert.Equal(StatusCode.InvalidArgument, otherSeller.StatusCode);
        var notANumber = await Refused(api, vpn, bob, nonce, "3600.5");
        Assert.Equal(StatusCode.InvalidArgument, notANumber.StatusCode);
        var notAKey = await Refused(api, vpn, "bob", nonce, "3600");
        Assert.Equal(StatusCode.InvalidArgument, notAKey.StatusCode);

        // The same refusals over HTTP are 4xx with the reason.
        var (status, refusal) = await api.PostAsync("v1/vpn/contract", $$"""{"pubkey":"{{bob}}","nonce":"{{nonce}}","price":"3600"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("most you allowed is 1000 sat", refusal.GetProperty("message").GetString(), StringComparison.Ordinal);

        Assert.Equal(before, api.Net.AliceMsat);
        Assert.Empty(api.Net.AliceContracts.All());
        var events = await api.GetAsync("v1/vpn/events");
        Assert.Single(events.Body.GetProperty("events").EnumerateArray());
    }

    private static Task<RpcException> Refused(ApiDaemon api, VPN.VPNClient vpn, string pubkey, string nonce, string price) =>
        Assert.ThrowsAsync<RpcException>(async () =>
            await vpn.AcceptContractAsync(new AcceptContractRequest { Pubkey = pubkey, Nonce = nonce, Price = price }, api.Credentials));
}
