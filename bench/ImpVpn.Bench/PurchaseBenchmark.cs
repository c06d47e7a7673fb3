using System.Diagnostics;
using ImpVpn.Core.WireGuard.Types;
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
        var none = CancellationToken.None;
        var phases = new PurchasePhaseClock();
        await using var market = await SimulatedMarket.StartAsync(pair, "ivbS" + pair.Tag, IpPrefix.Parse("10.79.0.0/24"), buyerLog: phases);
        TimedLightningNode alice = market.BuyerNode, bob = market.SellerNode;
        var buyerWireGuard = market.BuyerWireGuard;
        var totals = new List<TimeSpan>();
        var lndCalls = new List<TimeSpan>();
        var payments = new List<TimeSpan>();
        var sellerCalls = new List<TimeSpan>();
        var byPhase = PurchasePhaseClock.Phases.ToDictionary(p => p.Percent, _ => new List<TimeSpan>());
        for (var i = 0; i < Samples + 1; i++)
        {
            alice.Reset();
            bob.Reset();
            phases.Start();
            var watch = Stopwatch.StartNew();
            var contract = await market.BuyAsync(none);
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
                // A step the buyer reports that this list does not name yet is still counted, under its percentage.
                if (!byPhase.TryGetValue(percent, out var samples))
                {
                    byPhase[percent] = samples = [];
                }

                samples.Add(took);
            }
        }

        report.Add("Request-VpnQuote → first handshake (total)", totals);
        foreach (var (percent, samples) in byPhase.Where(p => p.Value.Count > 0).OrderBy(p => p.Key))
        {
            var name = PurchasePhaseClock.Phases.FirstOrDefault(p => p.Percent == percent).Name ?? $"the step the buyer reports at {percent} %";
            report.Add("phase — " + name, samples);
        }

        report.Add("time in the buyer's LND calls other than the payment (GetInfo, ListPeers, DecodePayReq, TrackPaymentV2, SendCustomMessage…)", lndCalls);
        report.Add("time in the buyer's SendPaymentV2 (from sending until settled, so it spans the seller's work)", payments);
        report.Add("time in the seller's LND calls (AddHoldInvoice, LookupInvoice, SettleInvoice, SendCustomMessage…)", sellerCalls);
        report.Note("The phases follow one another and add up to the total (medians need not). The LND rows are summed call times and overlap the phases and each other: the payment is in flight while the buyer polls TrackPaymentV2 and the seller works. The first purchase (JIT, first connections) is not counted.");
    }
}
