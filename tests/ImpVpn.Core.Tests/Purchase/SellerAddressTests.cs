using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>A seller whose node has no channel is not in the graph (LND announces only nodes with channels): the
/// buyer cannot find its address and must be given one.</summary>
public sealed class SellerAddressTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_seller_outside_the_graph_is_reached_at_the_address_the_buyer_gives()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var carol = net.Simulation["carol"];
        var storeFolder = Directory.CreateTempSubdirectory("impvpn-carol-").FullName;
        try
        {
            await using var carolNode = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(carol), true, None);
            await using var provider = new VpnSeller(carolNode, new RecordingWireGuard(), new ContractStore(storeFolder),
                new SellerOptions { InterfaceName = "ivs-carol", Endpoint = "192.0.2.3:51820" });
            await provider.StartAsync(None);
            await using var buyer = net.Buyer(null);

            var unknown = await Assert.ThrowsAsync<PurchaseException>(() =>
                buyer.RequestQuoteAsync(carol.PubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None));
            Assert.Equal(PurchaseError.SellerUnreachable, unknown.Error);
            Assert.Contains("not in your node's graph", unknown.Message);

            var quote = await buyer.RequestQuoteAsync(carol.PubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None, carol.P2pAddress);

            Assert.Equal(carol.PubKey, quote.SellerPubKey);
            Assert.Equal(carol.P2pAddress, quote.SellerNodeAddress);
            Assert.Contains(await net.AliceNode.ListPeersAsync(None), p => p.PubKey == carol.PubKey);
        }
        finally
        {
            Directory.Delete(storeFolder, recursive: true);
        }
    }
}
