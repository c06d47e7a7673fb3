using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Adversarial;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;
using Xunit.Abstractions;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>
/// A real seller (<see cref="VpnSeller"/>, on the LND simulator) selling exits from namespace B, with a stand-in
/// internet and LAN beside it (<see cref="TestInternet"/>), the seller's default route out of its egress interface
/// and a neighbour on the egress network. Exits are bought at the protocol level (quote, accept, pay, activate,
/// claim), since ImpVpn's buyer does not set up full tunnels yet: the buyers' tunnels are made by hand, and route only
/// the test ranges into the tunnel. A second buyer, in its own namespace, buys node to node from the same seller.
/// </summary>
public sealed class RealTunnelExitSellingTests(ITestOutputHelper output)
{
    private const int ServicePort = 8080;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Granted = TimeSpan.FromSeconds(15);

    // The exit contract is short, so its end is seen within the test.
    private static readonly TimeSpan ExitDuration = TimeSpan.FromSeconds(75);

    [SkippableFact]
    public Task An_exit_bought_over_ipv4_reaches_the_internet_as_the_egress_address_and_nothing_of_the_sellers() =>
        RunAsync(v6: false, output);

    [SkippableFact]
    public Task An_exit_bought_over_ipv6_is_masqueraded_nat66_and_refused_the_same() =>
        RunAsync(v6: true, output);

    private static async Task RunAsync(bool v6, ITestOutputHelper output)
    {
        var missing = Requirements.MissingForRealTunnels() ?? TestInternet.Missing();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        using var internet = TestInternet.Create(pair);
        var c = "ivt-c-" + pair.Tag;
        using var third = new Disposer(() => NetworkNamespacePair.TryDelete(c));
        var f = Family.Of(v6, pair);
        Setup(pair, internet, c, f);

        var sellerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyerA = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var buyerC = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(c), preferKernel: false);
        string wgS = "ivxS" + pair.Tag, wgA = "ivxA" + pair.Tag, wgC = "ivxC" + pair.Tag;
        using var keyA = WireGuardPrivateKey.Generate();
        using var keyC = WireGuardPrivateKey.Generate();
        using var sellerService = new Disposer(NamespaceSockets.ListenOnAllAddressesDualStack(pair.B, ServicePort).Stop);
        using var lanService = new Disposer(NamespaceSockets.ListenOnAllAddressesDualStack(internet.Lan, ServicePort).Stop);

        await using var net = await PurchaseNetwork.StartAsync();
        var seller = await net.StartSellerAsync(sellerWireGuard, new SellerOptions
        {
            InterfaceName = wgS,
            Endpoint = pair.UnderlayB + ":51820",
            Subnet = IpPrefix.Parse(f.Pool),
            Pricing = new Pricing(3_600, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            SoldModes = [TunnelMode.NodeToNode, TunnelMode.Exit],
            EgressInterface = internet.EgressInterface,
            Resolvers = [f.Resolver],
            // Overlapping on purpose: the interval set must still load.
            RefusedDestinations = [IpPrefix.Parse(f.ListedPrefix), IpPrefix.Parse(f.ListedOverlap)],
            IPv6Exit = IPv6Exit.Masquerade,
        });
        try
        {
            var alice = HostilePeer.Of(net.Simulation, "alice", "bob");
            await alice.WaitUntilServedAsync();
            Assert.Equal("1", Sysctl(pair.B, f.ForwardingKey));
            if (v6)
            {
                // IPv6 forwarding on: the egress interface still takes router advertisements.
                Assert.Equal("2", Sysctl(pair.B, "net/ipv6/conf/" + internet.EgressInterface + "/accept_ra"));
            }

            var direct = await BuyAsync(net, alice, "node-to-node", f.WireFamily, TimeSpan.FromMinutes(10), keyC.PublicKey);
            Assert.Equal([f.SellerHost(direct.Activated.SellerTunnelAddress)], direct.Activated.AllowedIps);
            Assert.Null(direct.Activated.Dns);
            // This buyer sends the internet into its tunnel anyway: the seller must not carry it.
            await TunnelAsync(buyerC, wgC, keyC, direct.Activated with { AllowedIps = [f.AllRoutes] }, f.UnderlayForC, f, f.TunnelLength);
            await ClaimAsync(alice, direct);

            var exit = await BuyAsync(net, alice, "exit", f.WireFamily, ExitDuration, keyA.PublicKey);
            Assert.Equal([f.AllRoutes], exit.Activated.AllowedIps);
            Assert.Equal([f.Resolver], exit.Activated.Dns);
            await TunnelAsync(buyerA, wgA, keyA, exit.Activated, pair.UnderlayB, f, f.TunnelLength);
            await ClaimAsync(alice, exit);

            // The exit buyer: the internet, as the egress address; its resolver, through the exit.
            Assert.Equal(f.SellerEgress, await HttpEcho.GetAsync(pair.A, f.Internet, TestInternet.EchoPort, Granted));
            if (!v6)
            {
                Assert.Equal(IPAddress.Parse(TestInternet.InternetAddress), await DnsProbe.QueryAsync(pair.A, f.Resolver, TestInternet.DnsName, Granted));
                Assert.True(internet.LoggedQueryFrom(TestInternet.SellerEgressAddress), "dnsmasq logged the buyer's query, from the egress address");
            }

            // Nothing of the seller's: its LAN, its own addresses and services, its egress network (a neighbour that
            // answers the seller itself), the networks it listed, another buyer.
            Assert.NotNull(await HttpEcho.GetAsync(pair.B, f.Neighbour, TestInternet.EchoPort, Granted));
            Assert.Null(await HttpEcho.GetAsync(pair.A, f.Neighbour, TestInternet.EchoPort, Refused));
            Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, f.LanHost, ServicePort, Refused), "a host on the seller's LAN");
            Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, f.SellerLan, ServicePort, Refused), "the seller's LAN address");
            Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, f.SellerEgress, ServicePort, Refused), "the seller's egress address");
            Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, exit.Activated.SellerTunnelAddress, ServicePort, Refused), "a service on the seller's tunnel address");
            Assert.Null(await HttpEcho.GetAsync(pair.A, f.Listed, TestInternet.EchoPort, Refused));
            Assert.True(NetworkNamespacePair.Ping(c, direct.Activated.SellerTunnelAddress, count: 2, waitSeconds: 2), "the node-to-node buyer's tunnel works");
            Assert.False(NetworkNamespacePair.Ping(pair.A, direct.Activated.BuyerTunnelAddress, count: 1, waitSeconds: 2), "the exit buyer reaches the other buyer");
            Assert.False(NetworkNamespacePair.Ping(c, exit.Activated.BuyerTunnelAddress, count: 1, waitSeconds: 2), "the other buyer reaches the exit buyer");

            // The node-to-node buyer of the same seller gets no exit.
            Assert.Null(await HttpEcho.GetAsync(c, f.Internet, TestInternet.EchoPort, Refused));

            // All of that while the exit still forwards (the refusals above were not its expiry's doing).
            Assert.Equal(f.SellerEgress, await HttpEcho.GetAsync(pair.A, f.Internet, TestInternet.EchoPort, Granted));

            // Past the exit's expiry, its traffic stops (polled, bounded); the other buyer's tunnel goes on.
            var expiry = DateTimeOffset.FromUnixTimeSeconds(exit.Activated.ExpiresAt);
            var deadline = expiry + TimeSpan.FromSeconds(30);
            while (await HttpEcho.GetAsync(pair.A, f.Internet, TestInternet.EchoPort, Refused) is not null)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, $"the exit still forwards {DateTimeOffset.UtcNow - expiry} after its expiry");
            }

            var stopped = DateTimeOffset.UtcNow;
            output.WriteLine($"The exit stopped forwarding {(stopped - expiry).TotalSeconds:0.0} s after its expiry (checked every 2 s at most).");
            Assert.True(stopped >= expiry - TimeSpan.FromSeconds(2), $"the exit stopped {expiry - stopped} before its expiry");
            Assert.True(NetworkNamespacePair.Ping(c, direct.Activated.SellerTunnelAddress, count: 2, waitSeconds: 2), "the node-to-node buyer's tunnel still works");

            // Withdrawn, the seller puts back what it turned on: forwarding was off in its namespace.
            seller.RequestStop(withdraw: true);
            await seller.StopAsync(None);
            Assert.True(seller.Withdrawn);
            Assert.Equal("0", Sysctl(pair.B, f.ForwardingKey));
            if (v6)
            {
                Assert.Equal("1", Sysctl(pair.B, "net/ipv6/conf/" + internet.EgressInterface + "/accept_ra"));
            }
        }
        finally
        {
            await buyerA.Links.DeleteInterfaceAsync(wgA, None);
            await buyerC.Links.DeleteInterfaceAsync(wgC, None);
            await sellerWireGuard.Links.DeleteInterfaceAsync(wgS, None);
        }
    }

    /// <summary>The seller's default routes out of its egress (as on a host: its gateway is the echo's address), a
    /// neighbour on the egress network, and a third namespace for the second buyer, linked to the seller.</summary>
    private static void Setup(NetworkNamespacePair pair, TestInternet internet, string c, Family f)
    {
        TestInternet.RouteSellerDefaultsOut(pair, internet);
        if (f.V6)
        {
            NetworkNamespacePair.Run("ip", "-n", internet.Name, "address", "add", f.Neighbour + "/64", "dev", "exi" + pair.Tag, "nodad");
        }
        else
        {
            NetworkNamespacePair.Run("ip", "-n", internet.Name, "address", "add", f.Neighbour + "/24", "dev", "exi" + pair.Tag);
        }
        NetworkNamespacePair.Run("ip", "netns", "add", c);
        NetworkNamespacePair.Run("ip", "link", "add", "ivc" + pair.Tag, "netns", c, "type", "veth", "peer", "name", "ivd" + pair.Tag, "netns", pair.B);
        NetworkNamespacePair.Run("ip", "-n", pair.B, "address", "add", f.UnderlayForC + "/24", "dev", "ivd" + pair.Tag);
        NetworkNamespacePair.Run("ip", "-n", c, "address", "add", f.UnderlayOfC + "/24", "dev", "ivc" + pair.Tag);
        NetworkNamespacePair.Run("ip", "-n", c, "link", "set", "lo", "up");
        NetworkNamespacePair.Run("ip", "-n", c, "link", "set", "ivc" + pair.Tag, "up");
        NetworkNamespacePair.Run("ip", "-n", pair.B, "link", "set", "ivd" + pair.Tag, "up");
    }

    /// <summary>Quote, accept (with the hash of a preimage of the test's), pay (held until the claim), activate.</summary>
    private static async Task<Bought> BuyAsync(PurchaseNetwork net, HostilePeer peer, string mode, string family, TimeSpan duration, WireGuardPublicKey key)
    {
        var quoted = await peer.CallAsync(PeerProtocol.Quote, new QuoteRequest((long)duration.TotalSeconds, new TunnelOffer(family, mode)));
        Assert.Null(quoted.Code);
        var quote = quoted.Result!.Value.Deserialize<QuoteResponse>(JsonRpcCodec.WireOptions)!;
        Assert.Equal(mode, quote.Offer.Mode);
        var preimage = RandomNumberGenerator.GetBytes(32);
        var hash = Convert.ToHexString(SHA256.HashData(preimage)).ToLowerInvariant();
        var accepted = await peer.CallAsync(PeerProtocol.Accept, new AcceptRequest(
            quote.Nonce, quote.PriceSat, quote.DurationSeconds, quote.ExpiresAt, quote.Offer, quote.Promise, key.ToBase64(), hash));
        Assert.Null(accepted.Code);
        var acceptance = accepted.Result!.Value.Deserialize<AcceptResponse>(JsonRpcCodec.WireOptions)!;

        // A hold invoice: the payment stays in flight until the claim settles it.
        var payment = net.AliceNode.PayAsync(new PaymentOrder(acceptance.PaymentRequest, 10, TimeSpan.FromSeconds(60)), None);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var activated = await peer.CallAsync(PeerProtocol.Activate, new ActivateRequest(acceptance.ContractId, hash));
            if (activated.Code is null)
            {
                return new Bought(acceptance.ContractId, hash, Convert.ToHexString(preimage).ToLowerInvariant(), payment, activated.Result!.Value.Deserialize<ActivateResponse>(JsonRpcCodec.WireOptions)!);
            }

            // 1012: not held yet; asked again, as a buyer does, within a bound.
            Assert.Equal(1012, activated.Code);
            Assert.True(DateTimeOffset.UtcNow < deadline, "the payment was never held");
        }
    }

    private static async Task ClaimAsync(HostilePeer peer, Bought bought)
    {
        var claimed = await peer.CallAsync(PeerProtocol.Claim, new ClaimRequest(bought.ContractId, bought.Hash, bought.Preimage));
        Assert.Null(claimed.Code);
        var paid = await bought.Payment.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(PaymentStatus.Succeeded, paid.Status);
    }

    /// <summary>The buyer's tunnel by hand, as activate describes it, sending the test ranges into it.</summary>
    private static async Task TunnelAsync(WireGuardHost host, string name, WireGuardPrivateKey key, ActivateResponse activated, string endpointHost, Family f, string tunnelLength)
    {
        IpPrefix[] ranges = [.. f.Ranges.Select(IpPrefix.Parse)];
        await host.Links.CreateInterfaceAsync(name, new InterfaceOptions { PrivateKey = key, Addresses = [IpPrefix.Parse(activated.BuyerTunnelAddress + tunnelLength)] }, None);
        var port = IPEndPoint.Parse(activated.Endpoint).Port;
        await host.Devices.ConfigureDeviceAsync(name, new DeviceConfig
        {
            Peers = [new PeerConfig(WireGuardPublicKey.Parse(activated.SellerWireGuardKey))
            {
                Endpoint = new IPEndPoint(IPAddress.Parse(endpointHost), port),
                AllowedIps = [.. activated.AllowedIps.Select(IpPrefix.Parse)],
            }],
        }, None);
        foreach (var range in ranges)
        {
            await host.Links.AddRouteAsync(name, range, None);
        }
    }

    private static string Sysctl(string ns, string key) =>
        NetworkNamespacePair.Capture("ip", "netns", "exec", ns, "sysctl", "-n", key).Trim();

    private sealed record Bought(string ContractId, string Hash, string Preimage, Task<PaymentResult> Payment, ActivateResponse Activated);

    /// <summary>One address family's addresses for the same test.</summary>
    private sealed record Family(
        bool V6, string Pool, string TunnelLength, string WireFamily, string AllRoutes, string Resolver, string Internet, string SellerEgress,
        string Neighbour, string Listed, string ListedPrefix, string ListedOverlap, string SellerLan, string LanHost, string[] Ranges,
        string ForwardingKey, string UnderlayForC, string UnderlayOfC)
    {
        public string SellerHost(string address) => address + (V6 ? "/128" : "/32");

        public static Family Of(bool v6, NetworkNamespacePair pair) => v6
            ? new(true, $"fd11:78:{pair.Subnet:x}::/64", "/64", "ipv6", "::/0", TestInternet.InternetAddress6, TestInternet.InternetAddress6, TestInternet.SellerEgressAddress6,
                "2001:db8:100::81", TestInternet.SellerListedAddress6, TestInternet.SellerListedPrefix6, "2001:db8:2::/80", TestInternet.SellerLanAddress6, TestInternet.LanHostAddress6,
                [TestInternet.InternetPrefix6, TestInternet.SellerListedPrefix6, TestInternet.LanPrefix6],
                "net.ipv6.conf.all.forwarding", $"172.30.{pair.Subnet}.1", $"172.30.{pair.Subnet}.2")
            : new(false, $"10.78.{pair.Subnet}.0/24", "/24", "ipv4", "0.0.0.0/0", TestInternet.InternetAddress, TestInternet.InternetAddress, TestInternet.SellerEgressAddress,
                "198.51.100.81", TestInternet.SellerListedAddress, TestInternet.SellerListedPrefix, "192.0.2.64/26", TestInternet.SellerLanAddress, TestInternet.LanHostAddress,
                [TestInternet.InternetPrefix, TestInternet.SellerListedPrefix, TestInternet.LanPrefix],
                "net.ipv4.ip_forward", $"172.30.{pair.Subnet}.1", $"172.30.{pair.Subnet}.2");
    }

    private sealed class Disposer(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
