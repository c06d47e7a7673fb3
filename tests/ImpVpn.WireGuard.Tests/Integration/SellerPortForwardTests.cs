using System.Net;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.WireGuard.Tests.Integration;

/// <summary>
/// The seller's port forwarding on real tunnels, the firewall alone (no purchase): a buyer (namespace A, routing only
/// its tunnel address's packets into the tunnel, as a port-forward buyer does) behind a seller (namespace B) linked
/// to a stand-in internet. A public port reaches the buyer's 9735 only while the buyer is admitted with that port:
/// not before, not on a port admitted for nobody, not after a revocation, and not once the admission has lapsed in
/// the kernel by itself (the seller process plays no part). The seller host's own connection to its public port
/// takes the same forwarding.
/// </summary>
[Collection("real tunnels")]
public sealed class SellerPortForwardTests
{
    private const int Public = 40100;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Granted = TimeSpan.FromSeconds(10);

    [SkippableFact]
    public async Task A_public_port_reaches_the_buyers_node_only_while_it_is_admitted_with_that_port()
    {
        var missing = Requirements.MissingForRealTunnels() ?? TestInternet.Missing();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        using var internet = TestInternet.Create(pair);
        var seller = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyer = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        using var sellerKey = WireGuardPrivateKey.Generate();
        using var buyerKey = WireGuardPrivateKey.Generate();
        string wgS = "pfS" + pair.Tag, wgA = "pfA" + pair.Tag;
        var buyerAddress = IPAddress.Parse("10.212.0.2");
        var firewall = seller.Firewall!;
        var rules = new SellerFirewallRules(wgS, IPAddress.Parse("10.212.0.1"), [9735], allowBuyerToBuyer: false) { PortForward = new SellerPortForwardRules(9735) };
        var node = NamespaceSockets.ListenOnAllAddresses(pair.A, 9735);
        try
        {
            await firewall.ApplyAsync(rules, [], None);
            await seller.Links.CreateInterfaceAsync(wgS, new InterfaceOptions { PrivateKey = sellerKey, ListenPort = 51820, Addresses = [IpPrefix.Parse("10.212.0.1/24")] }, None);
            await seller.Devices.ConfigureDeviceAsync(wgS, new DeviceConfig { Peers = [new PeerConfig(buyerKey.PublicKey) { AllowedIps = [IpPrefix.Parse("10.212.0.2/32")] }] }, None);
            await buyer.Links.CreateInterfaceAsync(wgA, new InterfaceOptions { PrivateKey = buyerKey, Addresses = [IpPrefix.Parse("10.212.0.2/32")] }, None);
            await buyer.Devices.ConfigureDeviceAsync(wgA, new DeviceConfig
            {
                Peers = [new PeerConfig(sellerKey.PublicKey) { Endpoint = IPEndPoint.Parse(pair.UnderlayB + ":51820"), AllowedIps = [IpPrefix.Parse("0.0.0.0/0")], PersistentKeepalive = TimeSpan.FromSeconds(1) }],
            }, None);
            await buyer.Links.AddRouteAsync(wgA, IpPrefix.Parse("10.212.0.1/32"), None);
            await buyer.SourceRouting!.RouteFromAsync(wgA, buyerAddress, 0x0AD40002, None);

            // Not admitted: nothing.
            Assert.False(await NamespaceSockets.CanConnectAsync(internet.Name, TestInternet.SellerEgressAddress, Public, Refused), "before any admission");

            // Admitted without a port (a node-to-node buyer): still nothing on the public port.
            await firewall.AdmitAsync(wgS, [new BuyerAdmission(buyerAddress, TimeSpan.FromMinutes(5))], None);
            Assert.True(NetworkNamespacePair.Ping(pair.A, "10.212.0.1", count: 3, waitSeconds: 2), "the tunnel works");
            Assert.False(await NamespaceSockets.CanConnectAsync(internet.Name, TestInternet.SellerEgressAddress, Public, Refused), "admitted without a port");

            // Admitted with the port: the internet and the seller host itself reach the buyer's node.
            await firewall.AdmitAsync(wgS, [new BuyerAdmission(buyerAddress, TimeSpan.FromMinutes(5)) { ForwardedPort = Public }], None);
            Assert.True(await NamespaceSockets.CanConnectAsync(internet.Name, TestInternet.SellerEgressAddress, Public, Granted), "the internet through the public port");
            Assert.True(await NamespaceSockets.CanConnectAsync(pair.B, TestInternet.SellerEgressAddress, Public, Granted), "the seller's own connect-back");
            Assert.False(await NamespaceSockets.CanConnectAsync(internet.Name, TestInternet.SellerEgressAddress, Public + 1, Refused), "a port admitted for nobody");

            // Revoked: the paid check drops it, though the port's map element is still there.
            await firewall.RevokeAsync(wgS, buyerAddress, null, None);
            Assert.False(await NamespaceSockets.CanConnectAsync(internet.Name, TestInternet.SellerEgressAddress, Public, Refused), "after the revocation");

            // Admitted for 2 s: reachable, then the kernel ends it by itself.
            await firewall.AdmitAsync(wgS, [new BuyerAdmission(buyerAddress, TimeSpan.FromSeconds(2)) { ForwardedPort = Public }], None);
            var admittedAt = DateTime.UtcNow;
            Assert.True(await NamespaceSockets.CanConnectAsync(internet.Name, TestInternet.SellerEgressAddress, Public, Granted), "admitted again");
            await Task.Delay(admittedAt.AddSeconds(3) - DateTime.UtcNow is { } left && left > TimeSpan.Zero ? left : TimeSpan.Zero);
            Assert.False(await NamespaceSockets.CanConnectAsync(internet.Name, TestInternet.SellerEgressAddress, Public, Refused), "after the admission lapsed");
            Assert.DoesNotContain($"{Public}", NetworkNamespacePair.Capture("ip", "netns", "exec", pair.B, "nft", "list", "map", "inet", "impvpn_" + wgS, "forwards"), StringComparison.Ordinal);
        }
        finally
        {
            node.Stop();
            await buyer.SourceRouting!.RemoveAsync(buyerAddress, 0x0AD40002, None);
            await buyer.Links.DeleteInterfaceAsync(wgA, None);
            await seller.Links.DeleteInterfaceAsync(wgS, None);
            await firewall.RemoveAsync(wgS, None);
        }
    }
}
