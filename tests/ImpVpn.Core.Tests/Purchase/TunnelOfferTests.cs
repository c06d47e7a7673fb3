using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Selling;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>A buyer asks for a mode and address family; a seller quotes only what it sells and, refusing, says what
/// that is.</summary>
public sealed class TunnelOfferTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData(TunnelMode.Exit, TunnelAddressFamily.IPv4)]
    [InlineData(TunnelMode.PortForward, TunnelAddressFamily.IPv4)]
    [InlineData(TunnelMode.NodeToNode, TunnelAddressFamily.IPv6)]
    [InlineData(TunnelMode.NodeToNode, TunnelAddressFamily.Dual)]
    public async Task An_offer_the_seller_does_not_sell_is_refused_naming_what_it_sells(TunnelMode mode, TunnelAddressFamily family)
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), new SellerOptions { InterfaceName = "ivs-offer", Endpoint = "192.0.2.1:51820" });
        await using var buyer = net.Buyer(null);

        var refused = await Assert.ThrowsAsync<PurchaseException>(() =>
            buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TunnelOfferVocabulary.Offer(mode, family), TimeSpan.FromSeconds(5), None));

        Assert.Equal(PurchaseError.OfferNotSold, refused.Error);
        Assert.Contains("modes node-to-node; address families ipv4", refused.Message);
        Assert.Empty(buyer.List());
    }

    [Fact]
    public async Task A_seller_with_an_IPv6_pool_sells_IPv6_tunnels_end_to_end()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), new SellerOptions
        {
            InterfaceName = "ivs-offer6",
            Endpoint = "192.0.2.1:51820",
            Subnet = IpPrefix.Parse("fd77::/120"),
        });
        await using var buyer = net.Buyer(null);

        var ipv4 = await Assert.ThrowsAsync<PurchaseException>(() =>
            buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None));
        Assert.Equal(PurchaseError.OfferNotSold, ipv4.Error);
        Assert.Contains("address families ipv6", ipv4.Message);

        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1),
            TunnelOfferVocabulary.Offer(TunnelMode.NodeToNode, TunnelAddressFamily.IPv6), TimeSpan.FromSeconds(5), None);
        Assert.Equal("ipv6", quote.AddressFamily);
        Assert.Equal("node-to-node", quote.Mode);

        var contract = await buyer.ConfirmAsync(quote, new BuyerOptions { ConfigOnly = true }, None);

        Assert.Equal(BoughtContractState.Active, contract.State);
        Assert.StartsWith("fd77::", contract.BuyerTunnelAddress, StringComparison.Ordinal);
        Assert.Equal(SoldContractState.Active, net.SellerStore.SoldContract(contract.Id)!.State);
    }
}
