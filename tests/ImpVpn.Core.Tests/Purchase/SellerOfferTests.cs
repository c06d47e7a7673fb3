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
}
