using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>The ceilings and answer checks that hold before paying, end to end on the simulator: each refusal leaves
/// the buyer's balance as it was.</summary>
public sealed class PaymentCeilingPurchaseTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly SellerOptions Seller = new() { InterfaceName = "ivs-ceiling", Endpoint = "192.0.2.1:51820" };

    [Fact]
    public async Task A_refresh_after_the_seller_raised_its_price_a_hundredfold_is_refused_unless_a_maximum_allows_it()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var first = await net.StartSellerAsync(new RecordingWireGuard(), Seller);
        await using var buyer = net.Buyer(null);
        var contract = await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None),
            new BuyerOptions { ConfigOnly = true }, None);
        await first.DisposeAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), Seller with { Pricing = Pricing.Default with { PricePerHourSat = 100_000 } });
        var before = net.AliceMsat;

        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.RefreshAsync(contract.Id, TimeSpan.FromHours(1), new BuyerOptions(), None));

        Assert.Equal(PurchaseError.PriceAboveMaximum, error.Error);
        Assert.Contains("costs 100000 sat", error.Message);
        Assert.Equal(before, net.AliceMsat);
        Assert.Null(net.BoughtContracts.Get(contract.Id).RefreshBeingPaid);

        var refreshed = await buyer.RefreshAsync(contract.Id, TimeSpan.FromHours(1), new BuyerOptions { MaxPriceSat = 100_000 }, None);
        Assert.Equal(contract.ExpiresAt!.Value.AddHours(1), refreshed.ExpiresAt);
    }

    [Fact]
    public async Task A_quote_for_another_duration_is_refused_and_nothing_is_paid()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await using var seller = new PeerRpcEndpoint(net.BobNode);
        seller.Handle(PeerProtocol.Quote, (_, _, _) =>
            Task.FromResult<object>(new QuoteResponse("n1", 500, 60, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(), new TunnelOffer(), "p")));
        seller.Start();
        await using var buyer = net.Buyer(null);
        var before = net.AliceMsat;

        var error = await Assert.ThrowsAsync<PurchaseException>(() =>
            buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromSeconds(1800), TimeSpan.FromSeconds(5), None));

        Assert.Equal(PurchaseError.SellerAnswerRefused, error.Error);
        Assert.Contains("00:01:00 where 00:30:00 was asked", error.Message);
        Assert.Equal(before, net.AliceMsat);
    }

    [Fact]
    public async Task An_assigned_address_inside_one_of_this_machines_routes_is_refused_before_paying()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), Seller);
        await using var buyer = net.Buyer(null);
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);
        var before = net.AliceMsat;
        // This machine already reaches 10.77.0.0/16 through another interface (a container network, another VPN).
        var machine = new FakeLocalNetwork(["192.0.2.2"], ["0.0.0.0/0 eth0", "10.77.0.0/16 br-lab"]);

        var error = await Assert.ThrowsAsync<PurchaseException>(() =>
            buyer.ConfirmAsync(quote, new BuyerOptions { ConfigOnly = true, Network = machine }, None));

        Assert.Equal(PurchaseError.SellerAnswerRefused, error.Error);
        Assert.Contains("route 10.77.0.0/16 via br-lab", error.Message);
        Assert.Contains("Nothing was paid", error.Message);
        Assert.Equal(before, net.AliceMsat);
        Assert.Empty(net.BoughtContracts.All());
    }
}
