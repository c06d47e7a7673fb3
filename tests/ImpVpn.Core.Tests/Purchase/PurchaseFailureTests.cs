using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Selling;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>Purchases that must not go through, each leaving no paid-but-unrecorded contract and the buyer's money
/// where it was.</summary>
public sealed class PurchaseFailureTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly BuyerOptions ConfigOnly = new() { ConfigOnly = true, MaxPriceSat = 10_000, ReplyTimeout = TimeSpan.FromSeconds(5) };

    private static async Task<(PurchaseNetwork Net, RecordingWireGuard SellerWireGuard)> StartAsync()
    {
        var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();
        await net.StartSellerAsync(wireGuard, new SellerOptions { InterfaceName = "ivs-test", Endpoint = "192.0.2.1:51820" });
        return (net, wireGuard);
    }

    [Fact]
    public async Task A_config_only_purchase_returns_the_tunnel_and_the_seller_adds_the_peer()
    {
        var (net, sellerWireGuard) = await StartAsync();
        await using var _ = net;
        await using var buyer = net.Buyer(null);

        var contract = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);

        Assert.Equal(BoughtContractState.Active, contract.State);
        Assert.Equal("192.0.2.1:51820", contract.Endpoint);
        Assert.Equal(contract.BuyerWireGuardKey, Assert.Single(sellerWireGuard.PeersOf("ivs-test")).PublicKey.ToBase64());
        Assert.Equal(1_000, contract.PaidSat);
        Assert.Single(buyer.List());
    }

    [Fact]
    public async Task A_price_above_the_maximum_is_refused_before_anything_is_paid()
    {
        var (net, _) = await StartAsync();
        await using var __ = net;
        await using var buyer = net.Buyer(null);
        var before = net.AliceMsat;
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(2), TimeSpan.FromSeconds(5), None);

        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote, ConfigOnly with { MaxPriceSat = 1_999 }, None));

        Assert.Equal(PurchaseError.PriceAboveMaximum, error.Error);
        Assert.Equal(before, net.AliceMsat);
        Assert.Empty(buyer.List());
    }

    [Fact]
    public async Task A_quote_confirmed_again_gives_back_its_contract_and_is_charged_once()
    {
        var (net, _) = await StartAsync();
        await using var __ = net;
        await using var buyer = net.Buyer(null);
        var before = net.AliceMsat;
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);
        var first = await buyer.ConfirmAsync(quote, ConfigOnly, None);

        var again = await buyer.ConfirmAsync(quote, ConfigOnly, None);

        Assert.Equal(first.Id, again.Id);
        Assert.Single(buyer.List());
        Assert.Equal(before - 1_000_000, net.AliceMsat);
    }

    [Fact]
    public async Task A_quote_reused_from_another_store_is_refused_by_the_seller_and_charged_once()
    {
        var (net, _) = await StartAsync();
        await using var __ = net;
        await using var buyer = net.Buyer(null);
        var before = net.AliceMsat;
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);
        await buyer.ConfirmAsync(quote, ConfigOnly, None);
        await using var elsewhere = net.Buyer(null, contracts: net.OtherBuyerStore());

        var error = await Assert.ThrowsAsync<PurchaseException>(() => elsewhere.ConfirmAsync(quote, ConfigOnly, None));

        Assert.Equal(PurchaseError.QuoteExpired, error.Error);
        Assert.Empty(elsewhere.List());
        Assert.Equal(before - 1_000_000, net.AliceMsat);
    }

    [Fact]
    public async Task A_tampered_quote_is_refused_by_the_seller()
    {
        var (net, _) = await StartAsync();
        await using var __ = net;
        await using var buyer = net.Buyer(null);
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);

        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote with { PriceSat = 1 }, ConfigOnly, None));

        Assert.Equal(PurchaseError.SellerRefused, error.Error);
        Assert.Contains("not the terms", error.Message);
    }

    [Fact]
    public async Task A_seller_that_cannot_provision_refunds_the_buyer()
    {
        var (net, sellerWireGuard) = await StartAsync();
        await using var __ = net;
        await using var buyer = net.Buyer(null);
        var before = net.AliceMsat;
        sellerWireGuard.FailPeerChanges = true;
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);

        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote, ConfigOnly, None));

        Assert.Equal(PurchaseError.ActivationFailed, error.Error);
        Assert.Contains("refunded", error.Message);
        Assert.Equal(before, net.AliceMsat);
        Assert.Equal(BoughtContractState.Cancelled, Assert.Single(buyer.List()).State);
    }

    [Fact]
    public async Task An_offline_seller_is_reported_and_nothing_is_paid()
    {
        var (net, _) = await StartAsync();
        await using var __ = net;
        await using var buyer = net.Buyer(null);
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);
        var before = net.AliceMsat;
        await net.Simulation["bob"].SetDownAsync(true);

        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote, ConfigOnly, None));

        Assert.Equal(PurchaseError.SellerUnreachable, error.Error);
        Assert.Equal(before, net.AliceMsat);
    }

    [Fact]
    public async Task A_failed_payment_leaves_nothing_spent()
    {
        var (net, _) = await StartAsync();
        await using var __ = net;
        await using var buyer = net.Buyer(null);
        var before = net.AliceMsat;
        net.Simulation["alice"].FailNextPayment(ImpVpn.Lnd.Rpc.Lnrpc.PaymentFailureReason.FailureReasonNoRoute);
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);

        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote, ConfigOnly, None));

        Assert.Equal(PurchaseError.PaymentFailed, error.Error);
        Assert.Equal(before, net.AliceMsat);
        Assert.Equal(BoughtContractState.Cancelled, Assert.Single(buyer.List()).State);

        // The quote's purchase is over: confirming it again says so, rather than handing back the cancelled contract.
        var again = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote, ConfigOnly, None));
        Assert.Equal(PurchaseError.QuoteExpired, again.Error);
        Assert.Single(buyer.List());
        Assert.Equal(before, net.AliceMsat);
    }

    [Fact]
    public async Task A_buyer_that_dies_mid_payment_resumes_without_paying_twice()
    {
        var (net, sellerWireGuard) = await StartAsync();
        await using var __ = net;
        var before = net.AliceMsat;
        string contractId;
        await using (var dying = net.Buyer(null))
        {
            var quote = await dying.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);
            // The seller adds the peer, but its answer to activate is lost: the buyer's payment is held and it never
            // hears back, as if it had died right after paying.
            sellerWireGuard.OnPeerAdded = () => net.Simulation["bob"].DropCustomMessages = true;
            var error = await Assert.ThrowsAsync<PurchaseException>(
                () => dying.ConfirmAsync(quote, ConfigOnly with { ReplyTimeout = TimeSpan.FromSeconds(2) }, None));
            Assert.Equal(PurchaseError.ActivationFailed, error.Error);
            // The buyer never claimed, so the seller could not settle: no money moved, and the preimage stays here.
            Assert.False(error.MoneyMoved);
            Assert.Equal(0, net.BobMsat);
            var unfinished = Assert.Single(net.BoughtContracts.All());
            Assert.Equal(BoughtContractState.Paying, unfinished.State);
            Assert.NotNull(unfinished.Preimage);
            contractId = unfinished.Id;
        }

        // Paid but unrecorded: not even -Force may take its key away before the purchase is finished.
        var removal = await Assert.ThrowsAsync<PurchaseException>(() => new TunnelRemoval(net.BoughtContracts, null, NullProgressLog.Instance).RemoveAsync(contractId, evenWithTimeLeft: true, None));
        Assert.Equal(PurchaseError.PaymentUnderWay, removal.Error);
        sellerWireGuard.OnPeerAdded = null;
        net.Simulation["bob"].DropCustomMessages = false;
        await using var again = net.Buyer(null);
        var resumed = await again.ResumeAsync(contractId, ConfigOnly, None);

        Assert.Equal(BoughtContractState.Active, resumed.State);
        Assert.True(resumed.Preimage is not null);
        Assert.Equal(before - 1_000_000, net.AliceMsat);

        // Removed (with force: it has paid time left), the tunnel can be neither fetched again nor refreshed.
        await new TunnelRemoval(net.BoughtContracts, null, NullProgressLog.Instance).RemoveAsync(contractId, evenWithTimeLeft: true, None);
        Assert.Equal(PurchaseError.TunnelRemoved, (await Assert.ThrowsAsync<PurchaseException>(() => again.ResumeAsync(contractId, ConfigOnly, None))).Error);
        Assert.Equal(PurchaseError.TunnelRemoved, (await Assert.ThrowsAsync<PurchaseException>(() => again.RefreshAsync(contractId, TimeSpan.FromMinutes(5), ConfigOnly, None))).Error);
        Assert.Equal(before - 1_000_000, net.AliceMsat);
    }

    [Fact]
    public async Task A_tunnel_that_cannot_be_set_up_is_not_claimed_and_a_retry_within_the_claim_window_finishes_it_paying_once()
    {
        var (net, _) = await StartAsync();
        await using var __ = net;
        var buyerWireGuard = new RecordingWireGuard { FailInterfaceCreation = true };
        await using var buyer = net.Buyer(buyerWireGuard);
        var before = net.AliceMsat;
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);

        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote, ConfigOnly with { ConfigOnly = false, HandshakeTimeout = TimeSpan.FromMilliseconds(50) }, None));

        // The tunnel could not be proven, so the preimage was not revealed: the seller has not been paid.
        Assert.Equal(PurchaseError.TunnelCheckFailed, error.Error);
        Assert.False(error.MoneyMoved);
        var recorded = Assert.Single(buyer.List());
        Assert.Equal(recorded.Id, error.ContractId);
        Assert.Equal(BoughtContractState.Paying, recorded.State);
        Assert.Empty(await buyerWireGuard.ListDevicesAsync(None));
        Assert.Equal(0, net.BobMsat);

        buyerWireGuard.FailInterfaceCreation = false;
        var resumed = await buyer.ResumeAsync(recorded.Id, ConfigOnly with { ConfigOnly = false, HandshakeTimeout = TimeSpan.FromMilliseconds(50) }, None);

        Assert.Equal(BoughtContractState.Active, resumed.State);
        Assert.NotNull(await buyerWireGuard.GetDeviceAsync(resumed.InterfaceName, None));
        Assert.Equal(before - 1_000_000, net.AliceMsat);
    }
}
