using System.Diagnostics;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.LndSim.Hosting;
using ImpVpn.TestSupport;

namespace ImpVpn.Bench;

/// <summary>Time from Request-VpnQuote to the first WireGuard handshake on the simulator: split into consecutive
/// phases (wall clock), and into the time each side spends in LND calls.</summary>
internal sealed class PurchaseBenchmark : IBenchmark
{
    private const int Samples = 20;

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
        var bob = new TimedLightningNode(await LndNode.ConnectAsync(Options(simulation["bob"]), true, none));
        var alice = new TimedLightningNode(await LndNode.ConnectAsync(Options(simulation["alice"]), true, none));
        var sellerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyerWireGuard = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var sellerInterface = "ivbS" + pair.Tag;
        await using var seller = new VpnSeller(bob, sellerWireGuard, new ContractStore(Path.Combine(folder, "seller")), new SellerOptions
        {
            InterfaceName = sellerInterface,
            Endpoint = pair.UnderlayB + ":51820",
            Subnet = IpPrefix.Parse("10.79.0.0/24"),
        });
        await seller.StartAsync(none);
        var phases = new PurchasePhaseClock();
        await using var buyer = new Buyer(alice, new BoughtContracts(new ContractStore(Path.Combine(folder, "buyer"))), buyerWireGuard, phases);
        var totals = new List<TimeSpan>();
        var lndCalls = new List<TimeSpan>();
        var payments = new List<TimeSpan>();
        var sellerCalls = new List<TimeSpan>();
        var byPhase = PurchasePhaseClock.Phases.ToDictionary(p => p.Percent, _ => new List<TimeSpan>());
        try
        {
            for (var i = 0; i < Samples + 1; i++)
            {
                alice.Reset();
                bob.Reset();
                phases.Start();
                var watch = Stopwatch.StartNew();
                var quote = await buyer.Quotes.RequestAsync(new SellerNode(simulation["bob"].PubKey, null), TimeSpan.FromHours(1), TimeSpan.FromSeconds(30), none);
                var contract = await buyer.Purchase.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 2000 }, none);
                var total = watch.Elapsed;
                await buyerWireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, none);
                if (i == 0)
                {
                    continue; // warm-up: JIT and first connections
                }

                totals.Add(total);
                lndCalls.Add(alice.CallTime);
                payments.Add(alice.PaymentTime);
                sellerCalls.Add(bob.CallTime + bob.PaymentTime);
                foreach (var (percent, took) in phases.Durations(total))
                {
                    byPhase[percent].Add(took);
                }
            }
        }
        finally
        {
            await sellerWireGuard.Links.DeleteInterfaceAsync(sellerInterface, none);
            await alice.DisposeAsync();
            await bob.DisposeAsync();
            Directory.Delete(folder, true);
        }

        report.Add("Request-VpnQuote → first handshake (total)", totals);
        foreach (var (percent, name) in PurchasePhaseClock.Phases)
        {
            report.Add("phase — " + name, byPhase[percent]);
        }

        report.Add("time in the buyer's LND calls other than the payment (GetInfo, ListPeers, DecodePayReq, TrackPaymentV2, SendCustomMessage…)", lndCalls);
        report.Add("time in the buyer's SendPaymentV2 (from sending until settled, so it spans the seller's work)", payments);
        report.Add("time in the seller's LND calls (AddHoldInvoice, LookupInvoice, SettleInvoice, SendCustomMessage…)", sellerCalls);
        report.Note("The phases follow one another and add up to the total (medians need not). The LND rows are summed call times and overlap the phases and each other: the payment is in flight while the buyer polls TrackPaymentV2 and the seller works. The first purchase (JIT, first connections) is not counted.");
    }
}
