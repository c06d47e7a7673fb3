using ImpVpn.Core.Buying;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Selling;

namespace ImpVpn.Core.Tests.Purchase;

public sealed class SellerRestartTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_restarted_seller_re_applies_active_contracts_and_keeps_serving_them()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var options = new SellerOptions { InterfaceName = "ivs-restart", Endpoint = "192.0.2.1:51820" };
        var firstWireGuard = new RecordingWireGuard();
        var first = await net.StartSellerAsync(firstWireGuard, options);
        await using var buyer = net.Buyer(null);
        var contract = await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None),
            new BuyerOptions { ConfigOnly = true }, None);
        await first.DisposeAsync();

        // A new process: same store, an interface that lost its peers.
        var secondWireGuard = new RecordingWireGuard();
        await using var second = new VpnSeller(net.BobNode, secondWireGuard, net.SellerStore, options);
        await second.StartAsync(None);

        Assert.Equal(contract.BuyerWireGuardKey, Assert.Single(secondWireGuard.PeersOf("ivs-restart")).PublicKey.ToBase64());
        Assert.Equal(first.PublicKey, second.PublicKey);
        var refreshed = await buyer.RefreshAsync(contract.Id, TimeSpan.FromMinutes(30), new BuyerOptions(), None);
        Assert.Equal(contract.ExpiresAt!.Value.AddMinutes(30), refreshed.ExpiresAt);
        Assert.Equal(SoldContractState.Active, net.SellerStore.SoldContract(contract.Id)!.State);
    }
}
