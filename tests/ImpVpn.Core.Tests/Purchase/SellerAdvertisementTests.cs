using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.Tests.Selling;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>The seller's feature bit: a node that refuses it costs a warning, not the start; a node that restarted
/// and forgot it gets it back from the running seller.</summary>
public sealed class SellerAdvertisementTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly DirectoryInfo _store = Directory.CreateTempSubdirectory("impvpn-adv-");

    public void Dispose() => _store.Delete(recursive: true);

    private static SellerOptions Options(string interfaceName) => new()
    {
        InterfaceName = interfaceName,
        Endpoint = "192.0.2.1:51820",
        ConfigOnly = true,
        ExpiryCheckInterval = TimeSpan.FromMilliseconds(100),
        AdvertisementRefreshInterval = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task A_node_that_refuses_the_bit_is_a_warning_and_the_seller_sells_all_the_same()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var log = new RecordingLog();
        var node = new HookedLightningNode(net.BobNode)
        {
            FailAnnouncement = () => new LightningRpcException("UpdateNodeAnnouncement", "Unimplemented", "unknown service peersrpc.Peers"),
        };
        await using var seller = new VpnSeller(node, new RecordingWireGuard(), new ContractStore(_store.FullName), Options("ivs-advr"), log);

        await seller.StartAsync(None);

        Assert.False(seller.Advertised);
        Assert.Contains(log.Warnings, w => w.Contains($"feature bit {PeerProtocol.SellerFeatureBit}", StringComparison.Ordinal) && w.Contains("unknown service peersrpc.Peers", StringComparison.Ordinal));
        await using var buyer = net.Buyer(null);
        var offer = await buyer.RequestOfferAsync(net.SellerPubKey, TimeSpan.FromSeconds(5), None);
        Assert.Equal(net.SellerPubKey, offer.SellerPubKey);
        await seller.StopAsync(None);
    }

    [Fact]
    public async Task A_seller_sets_its_bit_again_after_its_node_restarted_and_forgot_it()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var seller = new VpnSeller(net.BobNode, new RecordingWireGuard(), new ContractStore(_store.FullName), Options("ivs-adva"));
        await seller.StartAsync(None);
        var serving = seller.ServeAsync(stop.Token);
        Assert.True(OwnBit(net));

        // As LND: a stopped node has lost the bits set through peersrpc (it rebuilds its feature sets at start).
        await net.Simulation["bob"].SetDownAsync(true);
        Assert.False(OwnBit(net));
        await net.Simulation["bob"].SetDownAsync(false);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!OwnBit(net))
        {
            Assert.True(DateTime.UtcNow < deadline, "the seller never set its bit again");
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await serving;
        await seller.StopAsync(None);
        Assert.False(OwnBit(net));
        Assert.False(seller.Advertised);
    }

    /// <summary>bob's own announcement, as bob's node holds it.</summary>
    private static bool OwnBit(PurchaseNetwork net)
    {
        var network = net.Simulation.Network;
        return network.OwnAnnouncement(network.Node("bob")).Features.Contains(PeerProtocol.SellerFeatureBit);
    }
}
