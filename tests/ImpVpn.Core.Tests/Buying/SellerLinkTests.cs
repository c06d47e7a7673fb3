using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.Tests.Purchase;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>A message to a seller whose connection has just dropped was never sent (LND refuses it): the buyer
/// connects again and sends the same request once more (at most three reconnections a call), instead of giving up on
/// a purchase it could finish.</summary>
public sealed class SellerLinkTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly BuyerOptions ConfigOnly = new() { ConfigOnly = true, MaxPriceSat = 10_000, ReplyTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task A_dropped_connection_is_made_again_and_the_purchase_goes_through_paid_once()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), new SellerOptions { InterfaceName = "ivs-link", Endpoint = "192.0.2.1:51820" });
        var alice = new HookedLightningNode(net.AliceNode);
        await using var buyer = net.Buyer(null, alice);
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);
        var before = net.AliceMsat;
        var listingsBefore = alice.PeerListings;

        // The accept finds the peer gone, and again after reconnecting: reconnect, send again, twice.
        alice.DropConnectionForNextMessages = 2;
        var contract = await buyer.ConfirmAsync(quote, ConfigOnly, None);

        Assert.Equal(BoughtContractState.Active, contract.State);
        Assert.True(alice.PeerListings > listingsBefore + 1, "the buyer looked for the seller again after the drop");
        Assert.Equal(before - 1_000_000, net.AliceMsat);
    }

    [Fact]
    public async Task A_seller_that_stays_unreachable_is_reported_as_such_and_nothing_is_paid()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), new SellerOptions { InterfaceName = "ivs-link", Endpoint = "192.0.2.1:51820" });
        var alice = new HookedLightningNode(net.AliceNode);
        await using var buyer = net.Buyer(null, alice);
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);
        var before = net.AliceMsat;

        // The first send and the sends after each of the three reconnections all find it gone.
        alice.DropConnectionForNextMessages = 4;
        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote, ConfigOnly, None));

        Assert.Equal(PurchaseError.SellerUnreachable, error.Error);
        Assert.IsType<PeerNotConnectedException>(error.InnerException);
        Assert.Empty(buyer.List());
        Assert.Equal(before, net.AliceMsat);
    }
}
