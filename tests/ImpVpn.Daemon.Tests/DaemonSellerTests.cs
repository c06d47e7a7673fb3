using ImpVpn.Core.Buying;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.TestSupport;

namespace ImpVpn.Daemon.Tests;

/// <summary>impvpnd as a seller with its interface in a network namespace (real wireguard-go and nftables): a buyer
/// in another namespace buys a tunnel from it, the daemon restarts and the paid peer is still (again) there, and the
/// daemon's own expiry round removes the peer when the contract ends; turned off, the seller leaves nothing on the host.</summary>
public sealed class DaemonSellerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private static readonly CancellationToken None = CancellationToken.None;

    [SkippableFact]
    public async Task A_tunnel_bought_from_the_daemon_survives_its_restart_and_expires_by_it()
    {
        var missing = Requirements.MissingForRealTunnels();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        await using var net = await DaemonNetwork.StartAsync();
        var sellerInterface = "dmnS" + pair.Tag;
        var configuration = net.Configuration("bob");
        configuration.Seller.Enabled = true;
        configuration.Seller.Endpoint = pair.UnderlayB + ":51820";
        configuration.Seller.InterfaceName = sellerInterface;
        configuration.Seller.Subnet = $"10.77.{pair.Subnet}.0/24";
        configuration.Seller.PricePerHourSat = 3600;
        configuration.Seller.MinimumDuration = TimeSpan.FromSeconds(1);
        configuration.Seller.NetworkNamespace = pair.B;
        var configPath = net.Write(configuration);
        var sellerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);

        BoughtContract contract;
        using (var first = DaemonProcess.Start(configPath, DaemonNetwork.NotifyPath()))
        {
            await first.NotificationsUntilAsync("READY=1", Wait);
            // Ready means the interface is up (firewall first) before any buyer is answered.
            Assert.NotNull(await sellerWireGuard.Devices.GetDeviceAsync(sellerInterface, None));

            await using var buyer = new Buyer(net.AliceNode, net.AliceContracts, buyerWireGuard);
            var quote = await buyer.Quotes.RequestAsync(new SellerNode(net.BobPubKey, null), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(20), None);
            contract = await buyer.Purchase.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 100 }, None);
            Assert.Equal(BoughtContractState.Active, contract.State);
            Assert.True(NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 2, waitSeconds: 2), "ping through the tunnel bought from the daemon");

            Assert.Equal(0, first.Terminate(Wait));
        }

        // Stopped, the daemon leaves its interface and the paid peer: a restart costs the buyer nothing.
        Assert.Single((await sellerWireGuard.Devices.GetDeviceAsync(sellerInterface, None))!.Peers);

        using var second = DaemonProcess.Start(configPath, DaemonNetwork.NotifyPath());
        await second.NotificationsUntilAsync("READY=1", Wait);
        var peer = Assert.Single((await sellerWireGuard.Devices.GetDeviceAsync(sellerInterface, None))!.Peers);
        Assert.Equal(contract.BuyerWireGuardKey, peer.PublicKey.ToString());
        Assert.True(NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 2, waitSeconds: 2), "ping through the tunnel after the daemon restarted");

        // The contract ends: the restarted daemon's expiry round removes the peer, and traffic stops.
        await Eventually.HoldsAsync(async () => (await sellerWireGuard.Devices.GetDeviceAsync(sellerInterface, None))!.Peers.Count == 0,
            Wait, "the expired contract's peer removed by the daemon");
        Assert.False(NetworkNamespacePair.Ping(pair.A, contract.SellerTunnelAddress, count: 1, waitSeconds: 1), "traffic stops after expiry");
        Assert.Contains(contract.Id, second.Output, StringComparison.Ordinal);
        Assert.Equal(0, second.Terminate(Wait));

        // Selling turned off (the daemon keeps refreshing): its start takes the interface and the firewall table
        // off the host, before it says it is ready.
        Assert.Contains("impvpn_" + sellerInterface, Capture("ip", "netns", "exec", pair.B, "nft", "list", "tables"), StringComparison.Ordinal);
        configuration.Seller.Enabled = false;
        configuration.Refresh.Enabled = true;
        configuration.Refresh.BudgetSat = 1000;
        var offPath = net.Write(configuration, "impvpnd-off.json");
        using (var off = DaemonProcess.Start(offPath, DaemonNetwork.NotifyPath()))
        {
            await off.NotificationsUntilAsync("READY=1", Wait);
            Assert.Null(await sellerWireGuard.Devices.GetDeviceAsync(sellerInterface, None));
            Assert.DoesNotContain("impvpn_" + sellerInterface, Capture("ip", "netns", "exec", pair.B, "nft", "list", "tables"), StringComparison.Ordinal);
            Assert.Equal(0, off.Terminate(Wait));
        }

        // Stopping for good: withdraw (what Uninstall-VpnDaemon runs) finds nothing left, and says so with exit 0.
        using (var withdraw = DaemonProcess.Start(offPath, null, "withdraw"))
        {
            Assert.Equal(0, withdraw.WaitForExit(Wait));
        }

        Assert.Null(await sellerWireGuard.Devices.GetDeviceAsync(sellerInterface, None));
    }

    private static string Capture(string file, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, arguments) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
