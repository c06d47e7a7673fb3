using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>impvpn.v1.offer over the simulated network: the buyer asks a running seller and gets its options, typed
/// and checked; the offer records nothing on either side.</summary>
public sealed class SellerOfferTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_buyer_gets_a_running_seller_s_offer()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), new SellerOptions
        {
            InterfaceName = "ivs-offers",
            Endpoint = "192.0.2.1:51820",
            Pricing = new Pricing(2_400, TimeSpan.FromMinutes(5), TimeSpan.FromDays(2)),
            MaxActiveContracts = 7,
            Region = "eu-west",
        });
        await using var buyer = net.Buyer(null);

        var offer = await buyer.RequestOfferAsync(net.SellerPubKey, TimeSpan.FromSeconds(5), None);

        Assert.Equal(net.SellerPubKey, offer.SellerPubKey);
        Assert.Equal([TunnelMode.NodeToNode], offer.Modes);
        Assert.Equal([TunnelAddressFamily.IPv4], offer.AddressFamilies);
        Assert.Equal(2_400, offer.PricePerHourSat);
        Assert.Equal(TimeSpan.FromMinutes(5), offer.MinimumDuration);
        Assert.Equal(TimeSpan.FromDays(2), offer.MaximumDuration);
        Assert.Equal("eu-west", offer.Region);
        Assert.Equal(7, offer.CapacityLeft);
        Assert.Equal([1, 2], offer.ProtocolVersions);
        Assert.Empty(buyer.List());
        Assert.Empty(net.Seller!.Contracts.Live);
    }

    [Fact]
    public async Task A_seller_with_a_region_buyers_would_refuse_does_not_start()
    {
        await using var net = await PurchaseNetwork.StartAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => net.StartSellerAsync(new RecordingWireGuard(), new SellerOptions
        {
            InterfaceName = "ivs-offerr",
            Endpoint = "192.0.2.1:51820",
            Region = "eu\nwest",
        }));
    }

    [Fact]
    public async Task A_quote_for_a_duration_or_mode_the_seller_does_not_sell_is_refused_early_with_its_bounds()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), new SellerOptions
        {
            InterfaceName = "ivs-offerb",
            Endpoint = "192.0.2.1:51820",
            Pricing = new Pricing(2_400, TimeSpan.FromMinutes(5), TimeSpan.FromDays(2)),
        });
        await using var buyer = net.Buyer(null);

        var tooLong = await Assert.ThrowsAsync<PurchaseException>(() => buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromDays(3), TimeSpan.FromSeconds(5), None));
        Assert.Equal(PurchaseError.DurationNotSold, tooLong.Error);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromDays(2)), tooLong.SoldDurations);
        Assert.Contains("00:05:00 to 2.00:00:00", tooLong.Message, StringComparison.Ordinal);

        var tooShort = await Assert.ThrowsAsync<PurchaseException>(() => buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromMinutes(4), TimeSpan.FromSeconds(5), None));
        Assert.Equal(PurchaseError.DurationNotSold, tooShort.Error);

        var exit = await Assert.ThrowsAsync<PurchaseException>(() => buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TunnelOfferVocabulary.Offer(TunnelMode.Exit, TunnelAddressFamily.IPv4), TimeSpan.FromSeconds(5), None));
        Assert.Equal(PurchaseError.OfferNotSold, exit.Error);
        Assert.Contains("sells the modes node-to-node; address families ipv4", exit.Message, StringComparison.Ordinal);

        // Within the bounds the same seller quotes: the early refusals asked nothing of its quote desk.
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromDays(2), TimeSpan.FromSeconds(5), None);
        Assert.Equal(TimeSpan.FromDays(2), quote.Duration);
        Assert.Empty(net.Seller!.Contracts.Live);
    }

    [Fact]
    public void An_offer_fits_only_what_it_sells()
    {
        var offer = new SellerOffer("02" + new string('a', 64), [TunnelMode.Exit, TunnelMode.NodeToNode], [TunnelAddressFamily.IPv6], 100,
            TimeSpan.FromMinutes(10), TimeSpan.FromHours(10), null, 3, [1, 2], TimeSpan.Zero);

        OfferFit.Require(offer, 600, TunnelOfferVocabulary.Offer(TunnelMode.Exit, TunnelAddressFamily.IPv6));
        OfferFit.Require(offer, 36_000, TunnelOfferVocabulary.Offer(TunnelMode.NodeToNode, TunnelAddressFamily.IPv6));
        Assert.Equal(PurchaseError.DurationNotSold, Assert.Throws<PurchaseException>(() => OfferFit.Require(offer, 599, TunnelOfferVocabulary.Offer(TunnelMode.Exit, TunnelAddressFamily.IPv6))).Error);
        Assert.Equal(PurchaseError.DurationNotSold, Assert.Throws<PurchaseException>(() => OfferFit.Require(offer, 36_001, TunnelOfferVocabulary.Offer(TunnelMode.Exit, TunnelAddressFamily.IPv6))).Error);
        Assert.Equal(PurchaseError.OfferNotSold, Assert.Throws<PurchaseException>(() => OfferFit.Require(offer, 600, TunnelOfferVocabulary.Offer(TunnelMode.PortForward, TunnelAddressFamily.IPv6))).Error);
        Assert.Equal(PurchaseError.OfferNotSold, Assert.Throws<PurchaseException>(() => OfferFit.Require(offer, 600, TunnelOfferVocabulary.Offer(TunnelMode.Exit, TunnelAddressFamily.IPv4))).Error);
    }
}
