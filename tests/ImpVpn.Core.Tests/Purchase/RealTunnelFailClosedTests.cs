using ImpVpn.Core.Buying;
using ImpVpn.Core.Selling;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>
/// The seller fails closed on real tunnels in network namespaces: a tunnel bought for a few seconds keeps working
/// across a seller restart while it is paid, stops passing packets at its expiry while no seller runs (the firewall's
/// admission lapses in the kernel; the peer is still on the interface), is removed by the next start, and a seller
/// withdrawn leaves no interface or firewall table behind.
/// </summary>
public sealed class RealTunnelFailClosedTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [SkippableFact]
    public async Task Paid_time_is_enforced_while_no_seller_runs_and_a_withdrawn_seller_leaves_nothing()
    {
        var missing = Requirements.MissingForRealTunnels();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        await using var net = await PurchaseNetwork.StartAsync();
        var sellerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var options = new SellerOptions
        {
            InterfaceName = "ivsC" + pair.Tag,
            Endpoint = pair.UnderlayB + ":51820",
            Subnet = IpPrefix.Parse($"10.81.{pair.Subnet}.0/24"),
            Pricing = new Pricing(1000, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
        };
        await using var buyer = net.Buyer(buyerWireGuard);
        BoughtContract? contract = null;
        try
        {
            var first = await net.StartSellerAsync(sellerWireGuard, options);
            // Long enough to outlast the purchase and one restart on a loaded machine, short enough to wait out.
            var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(20), None);
            contract = await buyer.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 10_000 }, None);
            Assert.True(NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 2, waitSeconds: 2), "bought");

            // A restart while paid: the peer stays and the tunnel works.
            await first.StopAsync(None);
            await first.DisposeAsync();
            var second = new VpnSeller(net.BobNode, sellerWireGuard, net.SellerStore, options);
            await second.StartAsync(None);
            Assert.True(NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 2, waitSeconds: 2), "still paid after a restart");
            await second.StopAsync(None);
            await second.DisposeAsync();

            // No seller runs now. At expiry the kernel ends the admission; the peer is still there.
            var deadline = contract.ExpiresAt!.Value.AddSeconds(30);
            var lastAnswered = DateTimeOffset.UtcNow;
            while (NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 1, waitSeconds: 1) && DateTimeOffset.UtcNow < deadline)
            {
                // Answered: not expired yet; a failed ping waits its second.
                lastAnswered = DateTimeOffset.UtcNow;
            }

            Assert.False(NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 2, waitSeconds: 1), "expired while no seller ran");
            // The last answer came within a second of expiry (the buyer's expiry is in whole seconds, as the kernel's).
            Assert.True(lastAnswered >= contract.ExpiresAt.Value.AddSeconds(-2), $"cut before its time: last answer {lastAnswered:O}, expiry {contract.ExpiresAt:O}");
            Assert.Single((await sellerWireGuard.Devices.GetDeviceAsync(options.InterfaceName, None))!.Peers);

            // The next start removes it.
            var third = new VpnSeller(net.BobNode, sellerWireGuard, net.SellerStore, options);
            await third.StartAsync(None);
            Assert.Empty((await sellerWireGuard.Devices.GetDeviceAsync(options.InterfaceName, None))!.Peers);

            // Withdrawn: no interface, no table.
            third.RequestStop(withdraw: true);
            await third.StopAsync(None);
            await third.DisposeAsync();
            Assert.Null(await sellerWireGuard.Devices.GetDeviceAsync(options.InterfaceName, None));
            Assert.DoesNotContain("impvpn_" + options.InterfaceName, NetworkNamespacePair.Capture("ip", "netns", "exec", pair.B, "nft", "list", "tables"), StringComparison.Ordinal);
        }
        finally
        {
            if (contract is not null)
            {
                await buyerWireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, None);
            }

            await SellerWithdrawal.WithdrawAsync(sellerWireGuard, options, Core.Diagnostics.NullProgressLog.Instance, None);
        }
    }
}
