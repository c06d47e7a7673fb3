using Grpc.Core;
using ImpVpn.Api.Rpc.Extras;
using ImpVpn.Api.Rpc.Vpn;

namespace ImpVpn.Daemon.Tests;

/// <summary>vpn.VPN driven by a client generated from the same vpn.proto, with the events followed on
/// VpnExtras.SubscribeEvents: a quote, a purchase and a refresh, each answered by an id at once and followed by its
/// event under that id; the events still readable afterwards with ListEvents; the seller's offer.</summary>
public sealed class ApiGrpcClientTests
{
    [Fact]
    public async Task The_seeds_three_methods_answer_ids_whose_results_arrive_as_events()
    {
        await using var api = await ApiDaemon.StartAsync();
        var vpn = new VPN.VPNClient(api.Channel);
        var extras = new VpnExtras.VpnExtrasClient(api.Channel);
        var bob = api.Net.BobPubKey;
        using var stop = new CancellationTokenSource(ApiDaemon.Wait);
        using var stream = extras.SubscribeEvents(new SubscribeEventsRequest(), api.Credentials, cancellationToken: stop.Token);

        var quoteId = (await vpn.RequestQuoteAsync(new RequestQuoteRequest { Pubkey = bob }, api.Credentials)).Id;
        var quote = await NextAsync(stream, quoteId, "quote_received", stop.Token);
        Assert.Equal("3600", quote.Price);
        Assert.Equal("node-to-node", quote.Mode);
        Assert.Equal("01:00:00", quote.Duration);

        var acceptId = (await vpn.AcceptContractAsync(new AcceptContractRequest { Pubkey = bob, Nonce = quote.Nonce, Price = quote.Price }, api.Credentials)).Id;
        var paid = await NextAsync(stream, acceptId, "contract_paid", stop.Token);
        var contract = api.Net.AliceContracts.Get(paid.ContractId);
        var expiry = contract.ExpiresAt!.Value;

        // The seed's refresh: nonce is the contract's id, price the most agreed for Api.RefreshDuration (10 minutes, 600 sat).
        var before = api.Net.AliceMsat;
        var refreshId = (await vpn.RefreshContractAsync(new RefreshContractRequest { Pubkey = bob, Nonce = paid.ContractId, Price = "600" }, api.Credentials)).Id;
        var refreshed = await NextAsync(stream, refreshId, "refreshed", stop.Token);
        Assert.Equal(paid.ContractId, refreshed.ContractId);
        Assert.Equal(expiry.AddMinutes(10), api.Net.AliceContracts.Get(paid.ContractId).ExpiresAt);
        Assert.InRange(before - api.Net.AliceMsat, 600_000, 610_000);

        // Readable afterwards, in order, by whoever was not listening.
        var listed = await extras.ListEventsAsync(new ListEventsRequest(), api.Credentials);
        Assert.Equal(["quote_received", "contract_paid", "refreshed"], listed.Events.Select(e => e.Kind));
        Assert.Equal([quoteId, acceptId, refreshId], listed.Events.Select(e => e.Id));
        Assert.Equal(listed.Events[^1].Sequence, listed.LastSequence);
        var later = await extras.ListEventsAsync(new ListEventsRequest { Since = listed.LastSequence }, api.Credentials);
        Assert.Equal(refreshId, Assert.Single(later.Events).Id);

        var offer = await extras.GetOfferAsync(new GetOfferRequest { Pubkey = bob }, api.Credentials);
        Assert.Equal("3600", offer.PricePerHour);
        Assert.Contains("node-to-node", offer.Modes);
        var tunnels = await extras.ListTunnelsAsync(new ListTunnelsRequest(), api.Credentials);
        Assert.Equal(paid.ContractId, Assert.Single(tunnels.Tunnels).Id);

        // A refresh for a contract this daemon does not hold: refused at once.
        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
            await vpn.RefreshContractAsync(new RefreshContractRequest { Pubkey = bob, Nonce = "nosuchcontract", Price = "600" }, api.Credentials));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);

        // A subscriber still listening does not hold the daemon's stop (the host would wait 30 s for it): the stream
        // ends and the daemon exits cleanly well within that.
        Assert.Equal(0, api.Daemon.Terminate(TimeSpan.FromSeconds(15)));
        Assert.False(await stream.ResponseStream.MoveNext(stop.Token));
    }

    /// <summary>The stream's next event for <paramref name="id"/>; any other event of that id (failed) fails the test.</summary>
    private static async Task<VpnEvent> NextAsync(AsyncServerStreamingCall<VpnEvent> stream, string id, string kind, CancellationToken cancellationToken)
    {
        while (await stream.ResponseStream.MoveNext(cancellationToken))
        {
            var happened = stream.ResponseStream.Current;
            if (happened.Id == id)
            {
                Assert.True(happened.Kind == kind, $"Expected {kind} for {id}, got {happened}");
                return happened;
            }
        }

        throw new InvalidOperationException($"The event stream ended before {kind} for {id}.");
    }
}
