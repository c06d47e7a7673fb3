using System.Diagnostics;
using ImpVpn.Core.Buyer;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Seller;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard;
using ImpVpn.Core.WireGuard.Linux;
using ImpVpn.LndSim;
using ImpVpn.WireGuard.Tests.Integration;

namespace ImpVpn.Bench;

/// <summary>Time from Request-VpnQuote to the first WireGuard handshake on the simulator, split into the buyer's
/// LND calls and the rest (ImpVpn's own work on both sides, the seller's LND calls, WireGuard set-up and handshake).</summary>
internal sealed class PurchaseBenchmark : IBenchmark
{
    private const int Samples = 10;

    public string Name => "purchase";

    public string Description =>
        $"{Samples} purchases (quote → accept → pay hold invoice → activate → interface up → first handshake) between two network namespaces over the LND simulator (gRPC + TLS on loopback veths), buyer and seller cores in one process.";

    public string? CannotRunBecause() => RealTunnelRequirement.Missing();

    public async Task RunAsync(BenchReport report)
    {
        using var pair = NetworkNamespacePair.Create();
        var folder = Directory.CreateTempSubdirectory("impvpn-bench-").FullName;
        var none = CancellationToken.None;
        await using var simulation = await Simulation.StartAsync(new SimulationOptions
        {
            BaseDirectory = Path.Combine(folder, "lnd"),
            Nodes = [new SimNodeSpec("alice"), new SimNodeSpec("bob")],
        }, none);
        await simulation.OpenChannelAsync("alice", "bob", 10_000_000);
        LndConnectionOptions Options(SimNode n) => LndConnectionOptions.FromFiles(n.RpcAddress, n.TlsCertPath, n.MacaroonPath, "regtest");
        await using var bob = await LndNode.ConnectAsync(Options(simulation["bob"]), true, none);
        var alice = new TimedLightningNode(await LndNode.ConnectAsync(Options(simulation["alice"]), true, none));
        var sellerWireGuard = WireGuardClient.Create(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyerWireGuard = WireGuardClient.Create(new LinuxNetworkContext(pair.A), preferKernel: false);
        var sellerInterface = "ivbS" + pair.Tag;
        await using var provider = new VpnProvider(bob, sellerWireGuard, new ContractStore(Path.Combine(folder, "seller")), new ProviderOptions
        {
            InterfaceName = sellerInterface,
            Endpoint = pair.UnderlayB + ":51820",
            Subnet = IpPrefix.Parse("10.79.0.0/24"),
        });
        await provider.StartAsync(none);
        await using var buyer = new VpnBuyer(alice, buyerWireGuard, new ContractStore(Path.Combine(folder, "buyer")));
        var totals = new List<TimeSpan>();
        var lndCalls = new List<TimeSpan>();
        var payments = new List<TimeSpan>();
        var rest = new List<TimeSpan>();
        try
        {
            for (var i = 0; i < Samples + 1; i++)
            {
                alice.Reset();
                var watch = Stopwatch.StartNew();
                var quote = await buyer.RequestQuoteAsync(simulation["bob"].PubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(30), none);
                var contract = await buyer.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 2000 }, none);
                var total = watch.Elapsed;
                await buyerWireGuard.DeleteInterfaceAsync(contract.InterfaceName, none);
                if (i == 0)
                {
                    continue; // warm-up: JIT and first connections
                }

                totals.Add(total);
                lndCalls.Add(alice.CallTime);
                payments.Add(alice.PaymentTime);
                rest.Add(total - alice.CallTime - alice.PaymentTime);
            }
        }
        finally
        {
            await sellerWireGuard.DeleteInterfaceAsync(sellerInterface, none);
            await alice.DisposeAsync();
            Directory.Delete(folder, true);
        }

        report.Add("Request-VpnQuote → first handshake (total)", totals);
        report.Add("buyer's LND calls, sequential (GetInfo, ListPeers, DecodePayReq, TrackPaymentV2, SendCustomMessage…)", lndCalls);
        report.Add("buyer's payment (SendPaymentV2, held until the seller settles)", payments);
        report.Add("the rest: ImpVpn on both sides, seller's LND calls, WireGuard set-up and handshake", rest);
        report.Note("The rows below the total split the time spent, not wall time exactly: the held payment runs while the buyer polls TrackPaymentV2 and asks the seller to activate, and the seller's work (LookupInvoice, adding the peer, SettleInvoice) happens inside that hold. The first purchase (JIT, first connections) is not counted.");
    }
}
