using ImpVpn.Core.Buying;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Selling;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>A side that stops at the worst moment — the seller between recording and settling, the buyer between
/// paying for a refresh and recording it — and the next run finishes the deal: paid once, delivered once.</summary>
public sealed class CrashRecoveryTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly BuyerOptions ConfigOnly = new() { ConfigOnly = true, MaxPriceSat = 10_000, ReplyTimeout = TimeSpan.FromSeconds(2) };
    private static readonly SellerOptions SellerOptions = new() { InterfaceName = "ivs-crash", Endpoint = "192.0.2.1:51820" };

    [Fact]
    public async Task A_seller_that_dies_before_settling_settles_on_restart_and_the_buyer_pays_once()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var dyingNode = new HookedLightningNode(net.BobNode) { BeforeSettle = () => throw new IOException("the seller's process died here") };
        var first = await net.StartSellerAsync(new RecordingWireGuard(), SellerOptions, dyingNode);
        await using var buyer = net.Buyer(null);
        var before = net.AliceMsat;

        // The buyer claims; the seller records the preimage and dies before settling.
        var error = await Assert.ThrowsAsync<PurchaseException>(async () => await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None));
        Assert.Equal(PurchaseError.PaymentUnfinished, error.Error);
        Assert.False(error.MoneyMoved);
        var id = Assert.Single(buyer.List()).Id;
        Assert.False(net.SellerStore.SoldContract(id)!.InvoiceSettled);
        Assert.False(net.SellerStore.SoldContract(id)!.AwaitsClaim);
        Assert.Equal(0, net.BobMsat);
        await first.DisposeAsync();

        var wireGuard = new RecordingWireGuard();
        await using var second = new VpnSeller(net.BobNode, wireGuard, net.SellerStore, SellerOptions);
        await second.StartAsync(None);

        Assert.True(net.SellerStore.SoldContract(id)!.InvoiceSettled);
        Assert.Single(wireGuard.PeersOf("ivs-crash"));
        var resumed = await buyer.ResumeAsync(id, ConfigOnly, None);
        Assert.Equal(BoughtContractState.Active, resumed.State);
        Assert.True(resumed.Preimage is not null);
        Assert.Equal(before - 1_000_000, net.AliceMsat);
        Assert.Equal(1_000_000, net.BobMsat);
    }

    [Fact]
    public async Task A_refresh_whose_answers_were_lost_is_finished_without_paying_again()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var bob = new HookedLightningNode(net.BobNode);
        await net.StartSellerAsync(new RecordingWireGuard(), SellerOptions, bob);
        await using var buyer = net.Buyer(null);
        var contract = await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        var afterPurchase = net.AliceMsat;

        // The seller adds the time while the payment is held; its answer to activate never arrives, so the buyer
        // claims nothing and the seller cannot settle.
        bob.AfterLookupInvoice = invoice => net.Simulation["bob"].DropCustomMessages |= invoice?.State == ImpVpn.Core.Lightning.InvoiceState.Accepted;
        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.RefreshAsync(contract.Id, TimeSpan.FromMinutes(30), ConfigOnly, None));
        Assert.False(error.MoneyMoved);
        Assert.NotNull(net.BoughtContracts.Find(contract.Id)!.RefreshBeingPaid);
        Assert.Equal(1_000_000, net.BobMsat);

        // The next run finds the payment still held, asks again, claims; the claim's answer is lost after the seller
        // settled, and the settled payment alone finishes the refresh.
        bob.AfterLookupInvoice = null;
        net.Simulation["bob"].DropCustomMessages = false;
        bob.AfterSettle = () => net.Simulation["bob"].DropCustomMessages = true;
        var refreshed = await buyer.RefreshAsync(contract.Id, TimeSpan.FromMinutes(30), ConfigOnly, None);

        Assert.Equal(contract.ExpiresAt!.Value.AddMinutes(30), refreshed.ExpiresAt);
        Assert.Equal(refreshed.ExpiresAt, net.SellerStore.SoldContract(contract.Id)!.ExpiresAt);
        Assert.Null(refreshed.RefreshBeingPaid);
        Assert.Equal(1_500, refreshed.PaidSat);
        Assert.Equal(afterPurchase - 500_000, net.AliceMsat);
    }

    [Fact]
    public async Task A_refresh_paid_but_never_activated_is_activated_by_the_next_run_and_paid_once()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), SellerOptions);
        var alice = new HookedLightningNode(net.AliceNode);
        await using var buyer = net.Buyer(null, alice);
        var contract = await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        var afterPurchase = net.AliceMsat;

        // The buyer pays; its request to activate never reaches the seller, so the payment stays held.
        alice.AfterPayStarted = () => net.Simulation["alice"].DropCustomMessages = true;
        await Assert.ThrowsAsync<PurchaseException>(() => buyer.RefreshAsync(contract.Id, TimeSpan.FromMinutes(30), ConfigOnly, None));
        Assert.Equal(contract.ExpiresAt, net.SellerStore.SoldContract(contract.Id)!.ExpiresAt);

        alice.AfterPayStarted = null;
        net.Simulation["alice"].DropCustomMessages = false;
        var refreshed = await buyer.RefreshAsync(contract.Id, TimeSpan.FromMinutes(30), ConfigOnly, None);

        Assert.Equal(contract.ExpiresAt!.Value.AddMinutes(30), refreshed.ExpiresAt);
        Assert.Equal(refreshed.ExpiresAt, net.SellerStore.SoldContract(contract.Id)!.ExpiresAt);
        Assert.Equal(afterPurchase - 500_000, net.AliceMsat);
        Assert.Equal(1_500_000, net.BobMsat);
    }

    [Fact]
    public async Task A_refresh_racing_the_sellers_expiry_is_either_refused_unpaid_or_honoured_never_paid_and_dropped()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var wireGuard = new RecordingWireGuard();
        var seller = await net.StartSellerAsync(wireGuard, SellerOptions, clock: clock);
        await using var buyer = net.Buyer(null);
        var contract = await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        var afterPurchase = net.AliceMsat;
        clock.Advance(TimeSpan.FromSeconds(61));

        // The seller's expiry round removes the peer; at that very moment the buyer asks for more time. The hook
        // gives the refresh two seconds to run to its end (an ordering aid: a round that held no lock let it finish
        // there, then wrote its stale copy over the paid extension).
        Task<BoughtContract>? refreshing = null;
        wireGuard.OnPeerRemoved = () =>
        {
            refreshing ??= Task.Run(() => buyer.RefreshAsync(contract.Id, TimeSpan.FromMinutes(30), ConfigOnly, None));
            ((IAsyncResult)refreshing).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(2));
        };
        await seller.ExpireAsync(None);
        wireGuard.OnPeerRemoved = null;
        Assert.NotNull(refreshing);
        var refreshed = await Record.ExceptionAsync(() => refreshing!) is null ? await refreshing! : null;

        var sellerRecord = net.SellerStore.SoldContract(contract.Id)!;
        if (refreshed is null)
        {
            Assert.Equal(SoldContractState.Expired, sellerRecord.State);
            Assert.Equal(afterPurchase, net.AliceMsat);
        }
        else
        {
            Assert.Equal(SoldContractState.Active, sellerRecord.State);
            Assert.Equal(refreshed.ExpiresAt, sellerRecord.ExpiresAt);
            Assert.Equal(afterPurchase - 500_000, net.AliceMsat);
        }
    }
}
