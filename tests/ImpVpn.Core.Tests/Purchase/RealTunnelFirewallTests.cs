using ImpVpn.Core.Buying;
using ImpVpn.Core.Selling;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>A tunnel bought from a seller as it starts by default, on real tunnels in network namespaces: the buyer
/// reaches the seller's node port and ping on the seller's tunnel address, and not a service the seller host runs on
/// all its addresses.</summary>
public sealed class RealTunnelFirewallTests
{
    private const int LightningPort = 9735;
    private const int OtherServicePort = 8080;
    private static readonly CancellationToken None = CancellationToken.None;

    [SkippableFact]
    public async Task A_buyer_reaches_the_sellers_node_port_and_not_the_sellers_other_services()
    {
        var missing = Requirements.MissingForRealTunnels();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        await using var net = await PurchaseNetwork.StartAsync();
        var sellerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var sellerInterface = "ivsF" + pair.Tag;
        using var node = NamespaceSockets.ListenOnAllAddresses(pair.B, LightningPort);
        using var other = NamespaceSockets.ListenOnAllAddresses(pair.B, OtherServicePort);
        await net.StartSellerAsync(sellerWireGuard, new SellerOptions
        {
            InterfaceName = sellerInterface,
            Endpoint = pair.UnderlayB + ":51820",
            Subnet = IpPrefix.Parse($"10.79.{pair.Subnet}.0/24"),
        });
        await using var buyer = net.Buyer(buyerWireGuard);
        BoughtContract? contract = null;
        try
        {
            var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(20), None);
            contract = await buyer.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 10_000 }, None);

            Assert.True(NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 2, waitSeconds: 2), "ping to the seller's tunnel address");
            Assert.True(await NamespaceSockets.CanConnectAsync(pair.A, contract.SellerTunnelAddress, LightningPort, TimeSpan.FromSeconds(15)), "the Lightning port");
            Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, contract.SellerTunnelAddress, OtherServicePort, TimeSpan.FromSeconds(2)), "another service of the seller host");

            // The firewall outlives the seller: its interface and the buyer's peer do too.
            await net.Seller!.DisposeAsync();
            Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, contract.SellerTunnelAddress, OtherServicePort, TimeSpan.FromSeconds(2)), "another service, seller stopped");
            Assert.True(NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 2, waitSeconds: 2), "the tunnel still works, seller stopped");
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
