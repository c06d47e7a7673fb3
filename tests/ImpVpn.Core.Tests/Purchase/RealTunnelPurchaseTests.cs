using ImpVpn.Core.Buying;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Selling;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>The whole purchase with real tunnels: buyer and seller each in a network namespace, paying over the
/// LND simulator, packets crossing the bought tunnel; refresh moves the expiry on both sides; expiry stops traffic.</summary>
public sealed class RealTunnelPurchaseTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [SkippableFact]
    public async Task A_bought_tunnel_carries_packets_costs_exactly_price_plus_fee_refreshes_and_expires()
    {
        var missing = Requirements.MissingForRealTunnels();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        await using var net = await PurchaseNetwork.StartAsync();
        var sellerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var sellerInterface = "ivsE" + pair.Tag;
        var provider = await net.StartSellerAsync(sellerWireGuard, new SellerOptions
        {
            InterfaceName = sellerInterface,
            Endpoint = pair.UnderlayB + ":51820",
            Subnet = IpPrefix.Parse($"10.77.{pair.Subnet}.0/24"),
            Pricing = new Pricing(3_600, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
        });
        await using var buyer = net.Buyer(buyerWireGuard);
        var aliceBefore = net.AliceMsat;
        var bobBefore = net.BobMsat;
        BoughtContract? contract = null;
        try
        {
            var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(20), None);
            Assert.Equal(8, quote.PriceSat);
            contract = await buyer.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 100 }, None);

            Assert.Equal(BoughtContractState.Active, contract.State);
            Assert.True(contract.Preimage is not null);
            Assert.True(NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 2, waitSeconds: 2), "ping through the bought tunnel");
            var buyerDevice = await buyerWireGuard.Devices.GetDeviceAsync(contract.InterfaceName, None);
            Assert.NotNull(Assert.Single(buyerDevice!.Peers).LastHandshake);
            Assert.Equal(aliceBefore - (quote.PriceSat * 1000) - (contract.FeePaidSat * 1000), net.AliceMsat);
            Assert.Equal(bobBefore + (quote.PriceSat * 1000), net.BobMsat);

            var refreshed = await buyer.RefreshAsync(contract.Id, TimeSpan.FromSeconds(4), new BuyerOptions { MaxPriceSat = 100 }, None);
            Assert.Equal(contract.ExpiresAt!.Value.AddSeconds(4), refreshed.ExpiresAt);
            Assert.Equal(refreshed.ExpiresAt, net.SellerStore.SoldContract(contract.Id)!.ExpiresAt);
            Assert.Equal(aliceBefore - ((8 + 4) * 1000), net.AliceMsat);

            await Task.Delay(refreshed.ExpiresAt!.Value - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
            await provider.ExpireAsync(None);

            Assert.Equal(SoldContractState.Expired, net.SellerStore.SoldContract(contract.Id)!.State);
            Assert.Empty((await sellerWireGuard.Devices.GetDeviceAsync(sellerInterface, None))!.Peers);
            Assert.False(NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 2, waitSeconds: 1), "traffic stops after expiry");
        }
        finally
        {
            if (contract is not null)
            {
                await buyerWireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, None);
            }

            await sellerWireGuard.Links.DeleteInterfaceAsync(sellerInterface, None);
        }
    }
}
