using Grpc.Core;
using ImpVpn.Api.Rpc.Extras;
using ImpVpn.Api.Rpc.Vpn;

namespace ImpVpn.Daemon.Tests;

/// <summary>An unreadable contract file in the store: the calls that read it answer DataLoss with the reason (not
/// Unknown), and the expiry watch passes over it, still reporting the other contracts' expiries.</summary>
public sealed class ApiStoreErrorTests
{
    [Fact]
    public async Task A_corrupt_contract_file_is_data_loss_and_does_not_stop_expiry_events()
    {
        await using var api = await ApiDaemon.StartAsync(quoteDuration: TimeSpan.FromSeconds(5));
        var vpn = new VPN.VPNClient(api.Channel);
        var extras = new VpnExtras.VpnExtrasClient(api.Channel);
        var bob = api.Net.BobPubKey;
        var quote = await api.EventAsync("quote_received", (await vpn.RequestQuoteAsync(new RequestQuoteRequest { Pubkey = bob }, api.Credentials)).Id);
        var acceptId = (await vpn.AcceptContractAsync(new AcceptContractRequest { Pubkey = bob, Nonce = quote.GetProperty("nonce").GetString(), Price = quote.GetProperty("price").GetString() }, api.Credentials)).Id;
        var paid = await api.EventAsync("contract_paid", acceptId);
        var contractId = paid.GetProperty("contractId").GetString();
        using var stop = new CancellationTokenSource(ApiDaemon.Wait);
        using var stream = extras.SubscribeEvents(new SubscribeEventsRequest { Since = paid.GetProperty("sequence").GetUInt64() + 1 }, api.Credentials, cancellationToken: stop.Token);

        // Written after the purchase (an unreadable file might be the quote's own contract, so a purchase refuses it).
        await File.WriteAllTextAsync(Path.Combine(api.Net.StorePath("alice"), "contracts", "bought", "broken1.json"), "{ \"Id\": ");

        var listing = await Assert.ThrowsAsync<RpcException>(async () => await extras.ListTunnelsAsync(new ListTunnelsRequest(), api.Credentials));
        Assert.Equal(StatusCode.DataLoss, listing.StatusCode);
        Assert.Contains("broken1.json", listing.Status.Detail, StringComparison.Ordinal);
        var one = await Assert.ThrowsAsync<RpcException>(async () => await extras.GetTunnelAsync(new GetTunnelRequest { Id = "broken1" }, api.Credentials));
        Assert.Equal(StatusCode.DataLoss, one.StatusCode);

        Assert.True(await stream.ResponseStream.MoveNext(stop.Token));
        Assert.Equal("expired", stream.ResponseStream.Current.Kind);
        Assert.Equal(contractId, stream.ResponseStream.Current.ContractId);
    }
}
