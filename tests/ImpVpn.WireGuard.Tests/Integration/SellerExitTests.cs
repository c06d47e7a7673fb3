using System.Net;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.WireGuard.Tests.Integration;

/// <summary>
/// A seller that is an exit, on real tunnels: a buyer (namespace A) with a tunnel to the seller (namespace B), which
/// has a link to a stand-in internet (an HTTP echo of the source address, dnsmasq logging queries) and another to
/// its LAN (<see cref="TestInternet"/>). The buyer routes only the test ranges through the tunnel (a full-tunnel
/// buyer is another piece of work). Every refusal is checked again with the firewall taken away, so what the test
/// sees is the firewall's doing and not a route that never worked.
/// </summary>
[Collection("real tunnels")]
public sealed class SellerExitTests
{
    private const int SellerServicePort = 8080;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Granted = TimeSpan.FromSeconds(15);

    private static readonly Family IPv4 = new(
        "10.211.0.1", "10.211.0.2", "10.211.0.0/24", "/24", TestInternet.InternetAddress, TestInternet.SellerEgressAddress,
        TestInternet.SellerListedAddress, TestInternet.SellerLanAddress, TestInternet.LanHostAddress,
        [TestInternet.InternetPrefix, TestInternet.SellerListedPrefix, TestInternet.LanPrefix], TestInternet.SellerListedPrefix, "net.ipv4.ip_forward");

    private static readonly Family IPv6 = new(
        "fd11:211::1", "fd11:211::2", "fd11:211::/64", "/64", TestInternet.InternetAddress6, TestInternet.SellerEgressAddress6,
        TestInternet.SellerListedAddress6, TestInternet.SellerLanAddress6, TestInternet.LanHostAddress6,
        [TestInternet.InternetPrefix6, TestInternet.SellerListedPrefix6, TestInternet.LanPrefix6], TestInternet.SellerListedPrefix6, "net.ipv6.conf.all.forwarding");

    [SkippableFact]
    public Task An_admitted_buyer_reaches_the_internet_as_the_egress_address_and_its_dns_and_nothing_of_the_sellers() => RunAsync(IPv4, dns: true);

    [SkippableFact]
    public Task The_same_holds_for_an_ipv6_exit() => RunAsync(IPv6, dns: false);

    private static async Task RunAsync(Family f, bool dns)
    {
        var missing = Requirements.MissingForRealTunnels() ?? TestInternet.Missing();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        using var internet = TestInternet.Create(pair);
        // The seller's default routes go out of its egress, as on a host: the egress network is refused to buyers
        // (read from the interface), its gateway (the echo's address here) is the way out and stays reachable.
        TestInternet.RouteSellerDefaultsOut(pair, internet);
        var seller = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyer = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        using var sellerKey = WireGuardPrivateKey.Generate();
        using var buyerKey = WireGuardPrivateKey.Generate();
        string wgS = "exS" + pair.Tag, wgA = "exA" + pair.Tag;
        var firewall = seller.Firewall!;
        var rules = new SellerFirewallRules(wgS, IPAddress.Parse(f.SellerTunnel), [9735], allowBuyerToBuyer: false)
        {
            Exit = new SellerExitRules(internet.EgressInterface, [IpPrefix.Parse(f.ListedPrefix)]),
        };

        // The seller host's own service on all its addresses, and one on its LAN.
        using var sellerService = new Disposer(NamespaceSockets.ListenOnAllAddressesDualStack(pair.B, SellerServicePort).Stop);
        using var lanService = new Disposer(NamespaceSockets.ListenOnAllAddressesDualStack(internet.Lan, SellerServicePort).Stop);
        try
        {
            await firewall.ApplyAsync(rules, [], None);
            await seller.Links.CreateInterfaceAsync(wgS, new InterfaceOptions { PrivateKey = sellerKey, ListenPort = 51820, Addresses = [IpPrefix.Parse(f.SellerTunnel + f.TunnelLength)] }, None);
            await seller.Devices.ConfigureDeviceAsync(wgS, new DeviceConfig { Peers = [new PeerConfig(buyerKey.PublicKey) { AllowedIps = [IpPrefix.Parse(f.BuyerTunnel + (f.TunnelLength == "/24" ? "/32" : "/128"))] }] }, None);
            await BuyerAsync(buyer, wgA, buyerKey, sellerKey.PublicKey, pair.UnderlayB, f);

            // Not admitted: nothing (the handshake may not be done yet either; the revocation below is the proof).
            Assert.Null(await HttpEcho.GetAsync(pair.A, f.Internet, TestInternet.EchoPort, Refused));

            await firewall.AdmitAsync(wgS, [new BuyerAdmission(IPAddress.Parse(f.BuyerTunnel), TimeSpan.FromMinutes(10)) { Exit = true }], None);
            Assert.Equal(f.SellerEgress, await HttpEcho.GetAsync(pair.A, f.Internet, TestInternet.EchoPort, Granted));
            if (dns)
            {
                Assert.Equal(IPAddress.Parse(TestInternet.InternetAddress), await DnsProbe.QueryAsync(pair.A, TestInternet.InternetAddress, TestInternet.DnsName, Granted));
                Assert.True(internet.LoggedQueryFrom(TestInternet.SellerEgressAddress), "dnsmasq logged the buyer's query, from the egress address");
            }

            Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, f.LanHost, SellerServicePort, Refused), "a host on the seller's LAN");
            Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, f.SellerLan, SellerServicePort, Refused), "the seller's LAN address");
            Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, f.SellerEgress, SellerServicePort, Refused), "the seller's egress address");
            Assert.Null(await HttpEcho.GetAsync(pair.A, f.Listed, TestInternet.EchoPort, Refused));

            // A buyer whose admission ends gets nothing through, on a connection it starts anew.
            await firewall.RevokeAsync(wgS, IPAddress.Parse(f.BuyerTunnel), null, None);
            Assert.Null(await HttpEcho.GetAsync(pair.A, f.Internet, TestInternet.EchoPort, Refused));

            // Without the firewall, everything refused above answers, and nothing is masqueraded: the routes and
            // services were there all along.
            await firewall.RemoveAsync(wgS, None);
            // Forwarding was off in the seller's namespace and the exit turned it on: removing the table put it back.
            Assert.Equal("0", NetworkNamespacePair.Capture("ip", "netns", "exec", pair.B, "sysctl", "-n", f.ForwardingKey).Trim());
            NetworkNamespacePair.Run("ip", "netns", "exec", pair.B, "sysctl", "-qw", f.ForwardingKey + "=1");
            Assert.True(await NamespaceSockets.CanConnectAsync(pair.A, f.LanHost, SellerServicePort, Granted), "open without the firewall: the LAN host");
            Assert.True(await NamespaceSockets.CanConnectAsync(pair.A, f.SellerLan, SellerServicePort, Granted), "open without the firewall: the seller's LAN address");
            Assert.True(await NamespaceSockets.CanConnectAsync(pair.A, f.SellerEgress, SellerServicePort, Granted), "open without the firewall: the seller's egress address");
            Assert.Equal(f.BuyerTunnel, await HttpEcho.GetAsync(pair.A, f.Listed, TestInternet.EchoPort, Granted));
        }
        finally
        {
            await buyer.Links.DeleteInterfaceAsync(wgA, None);
            await seller.Links.DeleteInterfaceAsync(wgS, None);
            await firewall.RemoveAsync(wgS, None);
        }
    }

    /// <summary>The buyer's tunnel, sending the tunnel subnet and the test ranges (internet, the seller's listed
    /// network, its LAN) into it: only the firewall decides what gets through.</summary>
    private static async Task BuyerAsync(WireGuardHost host, string name, WireGuardPrivateKey key, WireGuardPublicKey seller, string sellerUnderlay, Family f)
    {
        IpPrefix[] ranges = [.. f.Ranges.Select(IpPrefix.Parse)];
        await host.Links.CreateInterfaceAsync(name, new InterfaceOptions { PrivateKey = key, Addresses = [IpPrefix.Parse(f.BuyerTunnel + f.TunnelLength)] }, None);
        await host.Devices.ConfigureDeviceAsync(name, new DeviceConfig
        {
            Peers = [new PeerConfig(seller) { Endpoint = IPEndPoint.Parse(sellerUnderlay + ":51820"), AllowedIps = [IpPrefix.Parse(f.TunnelPrefix), .. ranges] }],
        }, None);
        foreach (var range in ranges)
        {
            await host.Links.AddRouteAsync(name, range, None);
        }
    }

    /// <summary>One address family's addresses for the same test.</summary>
    private sealed record Family(
        string SellerTunnel, string BuyerTunnel, string TunnelPrefix, string TunnelLength, string Internet, string SellerEgress,
        string Listed, string SellerLan, string LanHost, string[] Ranges, string ListedPrefix, string ForwardingKey);

    private sealed class Disposer(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
