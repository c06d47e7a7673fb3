using System.Net;
using System.Net.Sockets;
using System.Text;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Selling;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>
/// A port forward bought for real (issue 13, point 4): buyer (namespace A) and seller (namespace B) pay over the LND
/// simulator; the seller's egress links to a stand-in internet (<see cref="TestInternet"/>). A TCP listener on the
/// buyer's 0.0.0.0:9735 stands in for LND. What the internet's connection to the seller's public port reaches, what
/// the seller checked before it settled, and what the buyer's other traffic does.
/// </summary>
public sealed class RealTunnelPortForwardTests
{
    private const int FirstPort = 40000;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Granted = TimeSpan.FromSeconds(10);

    [SkippableFact]
    public async Task The_internet_reaches_the_buyers_node_through_its_public_port_only_while_paid_and_the_seller_checked_it_before_settling()
    {
        var missing = Requirements.MissingForRealTunnels() ?? TestInternet.Missing();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        using var internet = TestInternet.Create(pair);
        await using var net = await PurchaseNetwork.StartAsync();
        var sellerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var sellerInterface = "ivsP" + pair.Tag;
        TcpListener? node = null;
        var connectBack = new RecordingConnectBack(pair.B, () => net.Seller!.Contracts.Live, onFirstFailure: () => node = NamespaceSockets.ListenOnAllAddresses(pair.A, 9735));
        var provider = await net.StartSellerAsync(sellerWireGuard, new SellerOptions
        {
            InterfaceName = sellerInterface,
            Endpoint = pair.UnderlayB + ":51820",
            Subnet = IpPrefix.Parse($"10.77.{pair.Subnet}.0/24"),
            Pricing = new Pricing(3_600, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            SoldModes = [TunnelMode.PortForward],
            PortForward = new PortForwardOptions { PublicAddress = TestInternet.SellerEgressAddress, FirstPort = FirstPort, LastPort = FirstPort + 1 },
        }, connectBack: connectBack);
        await using var buyer = net.Buyer(buyerWireGuard);
        BoughtContract? contract = null;
        try
        {
            var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromSeconds(40), TunnelOfferVocabulary.Offer(TunnelMode.PortForward, TunnelAddressFamily.IPv4), TimeSpan.FromSeconds(20), None);
            // Nothing listens on the buyer's 9735 yet: the first connect-back fails (and then starts the listener),
            // the claim is answered 1014, and the buyer claims again.
            contract = await buyer.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 100 }, None);

            Assert.Equal(BoughtContractState.Active, contract.State);
            Assert.Equal($"{TestInternet.SellerEgressAddress}:{FirstPort}", contract.ForwardedEndpoint);
            Assert.Equal(contract.ForwardedEndpoint, net.SellerStore.SoldContract(contract.Id)!.ForwardedEndpoint);
            Assert.True(net.SellerStore.SoldContract(contract.Id)!.InvoiceSettled);
            Assert.Equal([false, true], connectBack.Results);
            Assert.All(connectBack.SettledWhenChecked, settled => Assert.False(settled, "the connect-back ran before the invoice was settled"));
            Assert.NotNull(node);

            // The connect-back's connection waits first in the listener's queue: from the seller's public address,
            // through the same DNAT a stranger's connection takes.
            using (var checkedBack = await node!.AcceptSocketAsync(new CancellationTokenSource(Granted).Token))
            {
                Assert.Equal(IPAddress.Parse(TestInternet.SellerEgressAddress), ((IPEndPoint)checkedBack.RemoteEndPoint!).Address.MapToIPv4());
            }

            // From the internet to the seller's public port: the buyer's node answers, sees the real source, and data
            // goes both ways.
            using (var client = await NamespaceTcp.ConnectAsync(internet.Name, TestInternet.SellerEgressAddress, FirstPort, Granted))
            {
                Assert.NotNull(client);
                using var accepted = await node!.AcceptSocketAsync(new CancellationTokenSource(Granted).Token);
                Assert.Equal(IPAddress.Parse(TestInternet.InternetAddress), ((IPEndPoint)accepted.RemoteEndPoint!).Address.MapToIPv4());
                Assert.Equal(IPAddress.Parse(contract.BuyerTunnelAddress), ((IPEndPoint)accepted.LocalEndPoint!).Address.MapToIPv4());
                await client.SendAsync(Encoding.ASCII.GetBytes("ping"));
                Assert.Equal("ping", await ReceiveAsync(accepted, 4));
                await accepted.SendAsync(Encoding.ASCII.GetBytes("pong!"));
                Assert.Equal("pong!", await ReceiveAsync(client, 5));
            }

            // The port not reserved for anyone reaches nothing.
            Assert.Null(await NamespaceTcp.ConnectAsync(internet.Name, TestInternet.SellerEgressAddress, FirstPort + 1, Refused));

            // The buyer's other traffic keeps its routes: only packets from the tunnel address take the tunnel.
            Assert.DoesNotContain(contract.InterfaceName, RouteGet(pair.A, TestInternet.InternetAddress), StringComparison.Ordinal);
            Assert.Contains("dev " + contract.InterfaceName, RouteGet(pair.A, TestInternet.InternetAddress, "from", contract.BuyerTunnelAddress), StringComparison.Ordinal);
            Assert.Empty(NetworkNamespacePair.Capture("ip", "-n", pair.A, "-4", "route", "show", "default").Trim());

            // Past its expiry the port reaches nothing, and the buyer's removal takes its rule away.
            var left = contract.ExpiresAt!.Value - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
            await Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            await provider.ExpireAsync(None);
            Assert.Equal(SoldContractState.Expired, net.SellerStore.SoldContract(contract.Id)!.State);
            Assert.Null(await NamespaceTcp.ConnectAsync(internet.Name, TestInternet.SellerEgressAddress, FirstPort, Refused));

            await new TunnelRemoval(buyer.Contracts, buyerWireGuard, Diagnostics.NullProgressLog.Instance).RemoveAsync(contract.Id, evenWithTimeLeft: true, None);
            Assert.DoesNotContain("from " + contract.BuyerTunnelAddress, NetworkNamespacePair.Capture("ip", "-n", pair.A, "rule", "show"), StringComparison.Ordinal);
        }
        finally
        {
            node?.Stop();
            if (contract is not null)
            {
                await buyerWireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, None);
            }

            await sellerWireGuard.Links.DeleteInterfaceAsync(sellerInterface, None);
            await sellerWireGuard.Firewall!.RemoveAsync(sellerInterface, None);
        }
    }

    private static string RouteGet(string ns, params string[] what) =>
        NetworkNamespacePair.Capture("ip", ["-n", ns, "route", "get", .. what]);

    private static async Task<string> ReceiveAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        using var limit = new CancellationTokenSource(Granted);
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, limit.Token);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    /// <summary>The seller's connect-back, made from the seller's namespace; records each result and whether any
    /// live contract's invoice was settled at the time; after the first failure it starts the buyer's listener.</summary>
    private sealed class RecordingConnectBack(string ns, Func<IReadOnlyList<SoldContract>> live, Action onFirstFailure) : IConnectBack
    {
        public List<bool> Results { get; } = [];

        public List<bool> SettledWhenChecked { get; } = [];

        public async Task<bool> CanConnectAsync(string host, int port, TimeSpan within, CancellationToken cancellationToken)
        {
            SettledWhenChecked.Add(live().Any(c => c.InvoiceSettled));
            var result = await NamespaceSockets.CanConnectAsync(ns, host, port, within);
            Results.Add(result);
            if (!result && Results.Count == 1)
            {
                onFirstFailure();
            }

            return result;
        }
    }
}
