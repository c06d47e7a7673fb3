using ImpVpn.Api.Rpc.Extras;
using ImpVpn.Api.Rpc.Vpn;

namespace ImpVpn.Daemon.Tests;

/// <summary>A tunnel bought through the API that runs out is reported once as an "expired" event naming its
/// contract, to a subscriber and in the list afterwards.</summary>
public sealed class ApiExpiryEventTests
{
    [Fact]
    public async Task A_contract_that_runs_out_is_reported_expired_once()
    {
        await using var api = await ApiDaemon.StartAsync(quoteDuration: TimeSpan.FromSeconds(5));
        var vpn = new VPN.VPNClient(api.Channel);
        var extras = new VpnExtras.VpnExtrasClient(api.Channel);
        var bob = api.Net.BobPubKey;
        var quoteId = (await vpn.RequestQuoteAsync(new RequestQuoteRequest { Pubkey = bob }, api.Credentials)).Id;
        var quote = await api.EventAsync("quote_received", quoteId);
        var acceptId = (await vpn.AcceptContractAsync(new AcceptContractRequest { Pubkey = bob, Nonce = quote.GetProperty("nonce").GetString(), Price = quote.GetProperty("price").GetString() }, api.Credentials)).Id;
        var paid = await api.EventAsync("contract_paid", acceptId);
        var contractId = paid.GetProperty("contractId").GetString();
        var since = paid.GetProperty("sequence").GetUInt64();

        using var stop = new CancellationTokenSource(ApiDaemon.Wait);
        using var stream = extras.SubscribeEvents(new SubscribeEventsRequest { Since = since + 1 }, api.Credentials, cancellationToken: stop.Token);
        Assert.True(await stream.ResponseStream.MoveNext(stop.Token));
        var expired = stream.ResponseStream.Current;
        Assert.Equal("expired", expired.Kind);
        Assert.Equal(contractId, expired.ContractId);
        Assert.Equal(bob, expired.Pubkey);
        Assert.True(DateTimeOffset.UtcNow >= api.Net.AliceContracts.Get(contractId!).ExpiresAt);

        // Once: a second tunnel bought now and reported expired in its turn means the watch has passed the first
        // contract again on every round in between, without a second report of it.
        var secondQuoteId = (await vpn.RequestQuoteAsync(new RequestQuoteRequest { Pubkey = bob }, api.Credentials)).Id;
        var secondQuote = await api.EventAsync("quote_received", secondQuoteId);
        var secondId = (await vpn.AcceptContractAsync(new AcceptContractRequest { Pubkey = bob, Nonce = secondQuote.GetProperty("nonce").GetString(), Price = secondQuote.GetProperty("price").GetString() }, api.Credentials)).Id;
        var secondContractId = (await api.EventAsync("contract_paid", secondId)).GetProperty("contractId").GetString();
        while (true)
        {
            Assert.True(await stream.ResponseStream.MoveNext(stop.Token));
            if (stream.ResponseStream.Current is { Kind: "expired" } later)
            {
                Assert.Equal(secondContractId, later.ContractId);
                break;
            }
        }

        var listed = await extras.ListEventsAsync(new ListEventsRequest(), api.Credentials);
        Assert.Single(listed.Events, e => e.Kind == "expired" && e.ContractId == contractId);
        Assert.Single(listed.Events, e => e.Kind == "expired" && e.ContractId == secondContractId);
    }
}
