using System.Diagnostics;
using System.Net;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>
/// An exit bought by the ImpVpn buyer core on real tunnels, and the leak matrix of its full tunnel. The buyer
/// (namespace A) has a direct uplink through B to a stand-in internet (<see cref="TestInternet"/>: an HTTP echo of
/// the source address, the tunnel's resolver logging queries), with an "ISP" resolver beside it that the buyer's
/// resolv.conf names before the purchase. B is also the seller, selling an exit out of its egress (its NAT set by
/// hand through the firewall's exit rules, as the seller's own wiring is another piece of work). The Lightning nodes
/// run in the test's own namespace, so the kill switch never stands between the purchase and LND here.
/// </summary>
public sealed class RealTunnelExitTests
{
    private const string IspResolver = "198.51.100.53";
    private const string IspAnswer = "192.0.2.53";
    private const string PeerStandIn = "198.51.100.9";
    private const int PeerPort = 9736;
    private const string RemoteNode = "198.51.100.10";
    private const int RemoteNodeRpcPort = 10009;
    private const int P2pPort = 9735;
    private const string BuyerUplink6 = "2001:db8:aa::1";
    private const string IspRouter6 = "2001:db8:aa::2";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Granted = TimeSpan.FromSeconds(15);

    [SkippableFact]
    public async Task An_exit_carries_everything_through_the_seller_leaks_nothing_keeps_the_node_outside_and_is_undone_whole()
    {
        var missing = Requirements.MissingForRealTunnels() ?? TestInternet.Missing();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        using var internet = TestInternet.Create(pair);
        var netnsFolder = $"/etc/netns/{pair.A}";
        var resolvConf = Path.Combine(netnsFolder, "resolv.conf");
        Directory.CreateDirectory(netnsFolder);
        var originalResolvConf = $"# the ISP's resolver\nnameserver {IspResolver}\noptions timeout:1 attempts:1\n";
        await File.WriteAllTextAsync(resolvConf, originalResolvConf);
        var ispLog = Path.Combine(Path.GetTempPath(), "isp-dns-" + pair.Tag + ".log");
        using var isp = StartIspResolver(internet.Name, "exi" + pair.Tag, ispLog);
        UplinkThroughSeller(pair);
        TestInternet.RouteSellerDefaultsOut(pair, internet);

        await using var net = await PurchaseNetwork.StartAsync();
        var buyerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var sellerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var sellerInterface = await StartExitSellerAsync(net, sellerWireGuard, pair, internet, "ivsX", $"10.78.{pair.Subnet}.0/24", TestInternet.InternetAddress);
        using var peerEcho = HttpEcho.Start(internet.Name, PeerPort);
        using var p2pEcho = HttpEcho.Start(internet.Name, P2pPort);
        using var nodeRpcEcho = HttpEcho.Start(internet.Name, RemoteNodeRpcPort);
        using var nodeListener = new Disposer(NamespaceSockets.ListenOnAllAddressesDualStack(pair.A, P2pPort).Stop);
        var node = PeersAdded.Wrap(net.AliceNode, new PeerInfo("02" + new string('7', 64), $"{PeerStandIn}:{PeerPort}", Inbound: false));
        await using var buyer = net.Buyer(buyerWireGuard, node);

        // Before: the direct path works for everything the matrix later refuses (so a refusal is the tunnel's doing).
        Assert.Equal(pair.UnderlayA, await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress, TestInternet.EchoPort, Granted));
        Assert.Equal(BuyerUplink6, await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress6, TestInternet.EchoPort, Granted));
        Assert.Equal(IPAddress.Parse(IspAnswer), await DnsProbe.QueryAsync(pair.A, IspResolver, TestInternet.DnsName, Granted));
        Assert.Equal(IspAnswer, SystemResolve(pair.A));
        WaitForAddressesSettled(pair.A);
        var before = Snapshot(pair.A);

        BoughtContract? contract = null;
        try
        {
            var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromMinutes(10), TunnelOfferVocabulary.Offer(TunnelMode.Exit, TunnelAddressFamily.IPv4), TimeSpan.FromSeconds(20), None);
            contract = await buyer.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 1_000, FullTunnel = new FullTunnelOptions { KeepOutsideAddresses = [RemoteNode] } }, None);
            Assert.Equal(BoughtContractState.Active, contract.State);
            Assert.Equal(TunnelMode.Exit, contract.TunnelMode);
            Assert.Equal([TestInternet.InternetAddress], contract.Resolvers);
            var plan = net.BoughtContracts.ReadFullTunnel(contract.Id);
            Assert.NotNull(plan);
            Assert.Contains(PeerStandIn, plan.KeepOutsideAddresses);
            Watch(pair);

            // No 0.0.0.0/0 in the main table: the default route is the tunnel's table's.
            Assert.DoesNotContain(contract.InterfaceName, NetworkNamespacePair.Capture("ip", "-n", pair.A, "-4", "route", "show", "table", "main"));
            Assert.Contains($"default dev {contract.InterfaceName}", NetworkNamespacePair.Capture("ip", "-n", pair.A, "-4", "route", "show", "table", plan.Table.ToString(System.Globalization.CultureInfo.InvariantCulture)));

            // (a) The internet sees the seller's egress address.
            Assert.Equal(TestInternet.SellerEgressAddress, await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress, TestInternet.EchoPort, Granted));

            // (b) The system resolver now asks the tunnel's resolver only, through the tunnel; the ISP's, asked
            // directly, does not answer, and logs nothing.
            var ispQueries = QueryLines(ispLog);
            Assert.Equal(TestInternet.InternetAddress, SystemResolve(pair.A));
            Assert.True(internet.LoggedQueryFrom(TestInternet.SellerEgressAddress), "the tunnel's resolver logged the query, from the seller's egress address");
            Assert.Null(await DnsProbe.QueryAsync(pair.A, IspResolver, TestInternet.DnsName, Refused));
            Assert.Equal(ispQueries, QueryLines(ispLog));

            // (e) The node's p2p port, both ways, and its connected peer stay outside the tunnel: they arrive from
            // the buyer's own uplink address.
            Assert.Equal(pair.UnderlayA, await HttpEcho.GetAsync(pair.A, PeerStandIn, PeerPort, Granted));
            Assert.Equal(pair.UnderlayA, await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress, P2pPort, Granted));
            Assert.True(await NamespaceSockets.CanConnectAsync(internet.Name, pair.UnderlayA, P2pPort, Granted), "the node's p2p port is reachable at the buyer's own address");

            // A node this machine drives over gRPC on another host (Confirm-VpnContract passes its address) too.
            Assert.Equal(pair.UnderlayA, await HttpEcho.GetAsync(pair.A, RemoteNode, RemoteNodeRpcPort, Granted));

            // (c) IPv4-only tunnel: IPv6 is blocked, and no IPv6 packet reached the uplink.
            Assert.Null(await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress6, TestInternet.EchoPort, Refused));
            Assert.Null(await HttpEcho.GetAsync(pair.A, IspRouter6, P2pPort + 1, Refused));
            Assert.Equal(0, Counter(pair.B, "direct6"));
            Assert.Equal(0, Counter(pair.B, "direct4"));

            // (d) wireguard-go dies: nothing leaves, through the tunnel or around it.
            KillWireGuardGo(pair.A, contract.InterfaceName);
            Assert.Null(await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress, TestInternet.EchoPort, Refused));
            Assert.Null(await DnsProbe.QueryAsync(pair.A, IspResolver, TestInternet.DnsName, Refused));
            Assert.Null(await DnsProbe.QueryAsync(pair.A, TestInternet.InternetAddress, TestInternet.DnsName, Refused));
            Assert.Null(await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress6, TestInternet.EchoPort, Refused));
            Assert.Equal(0, Counter(pair.B, "direct4"));
            Assert.Equal(0, Counter(pair.B, "direct6"));
            Assert.True(Counter(pair.A, "leaked", table: "impvpn_ks_" + contract.InterfaceName) > 0, "the kill switch dropped what tried to leave");

            // (f) Removal (also of a tunnel whose process died) puts everything back as it was.
            await new TunnelRemoval(net.BoughtContracts, buyerWireGuard, NullProgressLog.Instance).RemoveAsync(contract.Id, evenWithTimeLeft: true, None);
            Unwatch(pair);
            var after = Snapshot(pair.A);
            Assert.Equal(before.Rules, after.Rules);
            Assert.Equal(before.Routes, after.Routes);
            Assert.Equal(before.Ruleset, after.Ruleset);
            Assert.Equal(originalResolvConf, after.ResolvConf);
            Assert.Null(net.BoughtContracts.ReadFullTunnel(contract.Id));
            Assert.Equal(pair.UnderlayA, await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress, TestInternet.EchoPort, Granted));
            Assert.Equal(IspAnswer, SystemResolve(pair.A));
        }
        finally
        {
            if (contract is not null)
            {
                await buyerWireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, None);
                if (net.BoughtContracts.ReadFullTunnel(contract.Id) is { } left)
                {
                    // Only after a failure above: a test must not leave its namespace's routes or kill switch behind.
                    await buyerWireGuard.FullTunnel!.UndoAsync(left, None);
                }
            }

            await sellerWireGuard.Links.DeleteInterfaceAsync(sellerInterface, None);
            Directory.Delete(netnsFolder, recursive: true);
            File.Delete(ispLog);
        }
    }

    [SkippableFact]
    public async Task An_ipv6_exit_carries_ipv6_through_the_seller_blocks_ipv4_and_is_undone_whole()
    {
        var missing = Requirements.MissingForRealTunnels() ?? TestInternet.Missing();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        using var internet = TestInternet.Create(pair);
        var netnsFolder = $"/etc/netns/{pair.A}";
        Directory.CreateDirectory(netnsFolder);
        await File.WriteAllTextAsync(Path.Combine(netnsFolder, "resolv.conf"), $"nameserver {IspResolver}\n");
        UplinkThroughSeller(pair);
        TestInternet.RouteSellerDefaultsOut(pair, internet);
        await using var net = await PurchaseNetwork.StartAsync();
        var buyerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var sellerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var sellerInterface = await StartExitSellerAsync(net, sellerWireGuard, pair, internet, "ivs6", $"fd78:{pair.Subnet:x}::/120", TestInternet.InternetAddress6);
        await using var buyer = net.Buyer(buyerWireGuard);
        Assert.Equal(pair.UnderlayA, await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress, TestInternet.EchoPort, Granted));
        WaitForAddressesSettled(pair.A);
        var before = Snapshot(pair.A);

        BoughtContract? contract = null;
        try
        {
            var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromMinutes(10), TunnelOfferVocabulary.Offer(TunnelMode.Exit, TunnelAddressFamily.IPv6), TimeSpan.FromSeconds(20), None);
            contract = await buyer.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 1_000 }, None);
            Watch(pair);

            Assert.Equal(TestInternet.SellerEgressAddress6, await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress6, TestInternet.EchoPort, Granted));
            Assert.Null(await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress, TestInternet.EchoPort, Refused));
            Assert.Null(await DnsProbe.QueryAsync(pair.A, IspResolver, TestInternet.DnsName, Refused));
            Assert.Equal(0, Counter(pair.B, "direct4"));
            Assert.Equal(0, Counter(pair.B, "direct6"));

            await new TunnelRemoval(net.BoughtContracts, buyerWireGuard, NullProgressLog.Instance).RemoveAsync(contract.Id, evenWithTimeLeft: true, None);
            Unwatch(pair);
            var after = Snapshot(pair.A);
            Assert.Equal(before.Rules, after.Rules);
            Assert.Equal(before.Routes, after.Routes);
            Assert.Equal(before.Ruleset, after.Ruleset);
            Assert.Equal(before.ResolvConf, after.ResolvConf);
            Assert.Equal(pair.UnderlayA, await HttpEcho.GetAsync(pair.A, TestInternet.InternetAddress, TestInternet.EchoPort, Granted));
        }
        finally
        {
            if (contract is not null)
            {
                await buyerWireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, None);
                if (net.BoughtContracts.ReadFullTunnel(contract.Id) is { } left)
                {
                    await buyerWireGuard.FullTunnel!.UndoAsync(left, None);
                }
            }

            await sellerWireGuard.Links.DeleteInterfaceAsync(sellerInterface, None);
            Directory.Delete(netnsFolder, recursive: true);
        }
    }

    /// <summary>A's default routes through B (its "ISP"), which forwards to the internet without NAT: what A sends
    /// directly arrives from A's own addresses.</summary>
    private static void UplinkThroughSeller(NetworkNamespacePair pair)
    {
        NetworkNamespacePair.Run("ip", "-n", pair.A, "-6", "address", "add", BuyerUplink6 + "/64", "dev", "iva" + pair.Tag, "nodad");
        NetworkNamespacePair.Run("ip", "-n", pair.B, "-6", "address", "add", IspRouter6 + "/64", "dev", "ivb" + pair.Tag, "nodad");
        NetworkNamespacePair.Run("ip", "-n", pair.A, "route", "add", "default", "via", pair.UnderlayB);
        NetworkNamespacePair.Run("ip", "-n", pair.A, "-6", "route", "add", "default", "via", IspRouter6);
        NetworkNamespacePair.Run("ip", "netns", "exec", pair.B, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        NetworkNamespacePair.Run("ip", "netns", "exec", pair.B, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
    }

    /// <summary>Counters in B of what arrives from A outside the tunnel (but the tunnel's UDP, the node's p2p port,
    /// its peer, and IPv6 neighbour discovery, which the kill switch lets out by design).</summary>
    private static void Watch(NetworkNamespacePair pair)
    {
        var veth = "ivb" + pair.Tag;
        Nft(pair.B, $$"""
            table inet ivt_watch {
                counter direct4 { }
                counter direct6 { }
                chain pre {
                    type filter hook prerouting priority -400; policy accept;
                    iifname "{{veth}}" ip saddr {{pair.UnderlayA}} udp dport 51820 return
                    iifname "{{veth}}" ip saddr {{pair.UnderlayA}} ip daddr { {{PeerStandIn}}, {{RemoteNode}} } return
                    iifname "{{veth}}" ip saddr {{pair.UnderlayA}} tcp sport {{P2pPort}} return
                    iifname "{{veth}}" ip saddr {{pair.UnderlayA}} tcp dport {{P2pPort}} return
                    iifname "{{veth}}" meta nfproto ipv4 counter name direct4
                    iifname "{{veth}}" icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } return
                    iifname "{{veth}}" meta nfproto ipv6 counter name direct6
                }
            }

            """);
    }

    private static void Unwatch(NetworkNamespacePair pair) => Nft(pair.B, "delete table inet ivt_watch\n");

    private static long Counter(string ns, string name, string table = "ivt_watch")
    {
        var text = NetworkNamespacePair.Capture("ip", "netns", "exec", ns, "nft", "list", "counter", "inet", table, name);
        var at = text.IndexOf("packets ", StringComparison.Ordinal);
        Assert.True(at >= 0, $"counter {name} in {ns}: {text}");
        return long.Parse(text[(at + 8)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Nft(string ns, string script)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, script);
            NetworkNamespacePair.Run("ip", "netns", "exec", ns, "nft", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>What <c>getent</c> resolves for the test name through A's resolv.conf (the system resolver).</summary>
    private static string? SystemResolve(string ns) =>
        NetworkNamespacePair.Capture("timeout", "10", "ip", "netns", "exec", ns, "getent", "ahostsv4", TestInternet.DnsName)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0]).FirstOrDefault();

    private static int QueryLines(string log) =>
        File.Exists(log) ? File.ReadLines(log).Count(line => line.Contains("query[", StringComparison.Ordinal)) : 0;

    /// <summary>A seller of exits only, in B (on <paramref name="sellerWireGuard"/>), out of the test internet's egress, handing out one resolver; returns its
    /// WireGuard interface's name.</summary>
    private static async Task<string> StartExitSellerAsync(PurchaseNetwork net, WireGuardHost sellerWireGuard, NetworkNamespacePair pair, TestInternet internet, string name, string subnet, string resolver)
    {
        var sellerInterface = name + pair.Tag;
        await net.StartSellerAsync(sellerWireGuard, new SellerOptions
        {
            InterfaceName = sellerInterface,
            Endpoint = pair.UnderlayB + ":51820",
            Subnet = IpPrefix.Parse(subnet),
            Pricing = new Pricing(3_600, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            SoldModes = [TunnelMode.Exit],
            EgressInterface = internet.EgressInterface,
            Resolvers = [resolver],
        });
        return sellerInterface;
    }

    /// <summary>The kernel gives each link an IPv6 link-local address (and its routes) once duplicate address detection
    /// ends, a second or two after the link comes up: the state compared before and after is taken once no address is
    /// tentative, or a route the kernel adds by itself would look like one ImpVpn left.</summary>
    private static void WaitForAddressesSettled(string ns)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (NetworkNamespacePair.Capture("ip", "-n", ns, "-6", "address", "show", "tentative").Trim().Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"IPv6 addresses in {ns} still tentative after 15 s");
            Thread.Sleep(100);
        }
    }

    private static (string Rules, string Routes, string Ruleset, string ResolvConf) Snapshot(string ns) => (
        NetworkNamespacePair.Capture("ip", "-n", ns, "-4", "rule") + NetworkNamespacePair.Capture("ip", "-n", ns, "-6", "rule"),
        NetworkNamespacePair.Capture("ip", "-n", ns, "-4", "route", "show", "table", "all") + NetworkNamespacePair.Capture("ip", "-n", ns, "-6", "route", "show", "table", "all"),
        NetworkNamespacePair.Capture("ip", "netns", "exec", ns, "nft", "list", "ruleset"),
        File.ReadAllText($"/etc/netns/{ns}/resolv.conf"));

    /// <summary>SIGKILL to the interface's wireguard-go (no clean-up of its own), then a bounded wait for the link to go.</summary>
    private static void KillWireGuardGo(string ns, string interfaceName)
    {
        var killed = false;
        foreach (var pid in NetworkNamespacePair.Capture("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            if (cmdline.Contains("wireguard-go", StringComparison.Ordinal) && cmdline.Contains(interfaceName, StringComparison.Ordinal))
            {
                using var process = Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture));
                process.Kill();
                Assert.True(process.WaitForExit(5_000), "wireguard-go exits on SIGKILL");
                killed = true;
            }
        }

        Assert.True(killed, $"a wireguard-go for {interfaceName} ran in {ns}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (NetworkNamespacePair.Capture("ip", "-n", ns, "link", "show", "dev", interfaceName).Length > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.Empty(NetworkNamespacePair.Capture("ip", "-n", ns, "link", "show", "dev", interfaceName));
    }

    /// <summary>A second dnsmasq, the ISP's resolver, answering the test name with another address.</summary>
    private static Disposer StartIspResolver(string ns, string device, string log)
    {
        NetworkNamespacePair.Run("ip", "-n", ns, "address", "add", IspResolver + "/32", "dev", device);
        NetworkNamespacePair.Run("ip", "-n", ns, "address", "add", PeerStandIn + "/32", "dev", device);
        NetworkNamespacePair.Run("ip", "-n", ns, "address", "add", RemoteNode + "/32", "dev", device);
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "netns", "exec", ns, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--log-queries", "--log-facility=" + log, "--listen-address=" + IspResolver, "--bind-interfaces",
            $"--address=/{TestInternet.DnsName}/{IspAnswer}", "--user=root", "--pid-file",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 20 && !process.HasExited; attempt++)
        {
            if (DnsProbe.QueryAsync(ns, IspResolver, TestInternet.DnsName, TimeSpan.FromSeconds(1)).GetAwaiter().GetResult() is not null)
            {
                break;
            }
        }

        return new Disposer(() =>
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5_000);
            }

            process.Dispose();
        });
    }

    private sealed class Disposer(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
