using System.Globalization;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.Bench;

/// <summary>Issue 13, point 6: TCP throughput (iperf3) and echo round trips through a bought tunnel (a real purchase
/// over the simulator, ImpVpn's seller and buyer on wireguard-go) and through a tunnel made by hand with wireguard-go,
/// `wg` and `ip` between the same two namespaces with the same MTU, in one run; and the latency full-tunnel routing
/// (wg-quick's fwmark and policy table, laid by hand over the hand-made tunnel) adds to plain routes. The two tunnels
/// alternate over several cycles, so that a shared machine's drifting load falls on both; wireguard-go's CPU per GB
/// and this process's own CPU during the transfers are reported beside the rates, to tell why they differ.</summary>
internal sealed class TunnelThroughputBenchmark : IBenchmark
{
    private const int Cycles = 5;
    private const int Seconds = 5;
    private const int Pings = 50;
    private const int RoutingRounds = 4;
    private const double Goal = 0.95;

    public string Name => "tunnel-throughput";

    public string Description =>
        $"One namespace pair (veth), {Cycles} cycles. Each cycle: a tunnel bought with ImpVpn (a fresh seller and buyer, cores over the LND simulator, wireguard-go both sides, the seller's nftables filter admitting iperf3's TCP port) is measured, once this process has settled (under 5 % of a core, at most 10 s: the runtime's background JIT after a start), and torn down (seller stopped, its interface removed, the namespace's nftables ruleset flushed), then a tunnel made by hand between the same namespaces (wireguard-go, wg set, ip; the bought interface's MTU) is measured and torn down. Each measurement: iperf3 TCP buyer → seller, then seller → buyer (-R), {Seconds} s each after 1 s omitted, the receiver's rate; then {Pings} pings at 0.05 s to the seller's tunnel address. Alternating the two tunnels spreads the shared machine's changing load over both. In the last cycle, on the hand-made tunnel, {RoutingRounds} alternating rounds (ABBA) of {Pings} pings each to the seller's tunnel address and to 198.51.100.1 (in a third namespace the seller's forwards to) with plain /32 routes and with wg-quick-style full-tunnel routing.";

    public string? CannotRunBecause() =>
        RealTunnelRequirement.Missing("wg", "iperf3", "ping", "nft") is { } missing ? missing + " (apt-get install wireguard-go wireguard-tools iperf3 iputils-ping nftables)" : null;

    public async Task RunAsync(BenchReport report)
    {
        var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
        using var pair = NetworkNamespacePair.Create();
        var limit = TimeSpan.FromSeconds(10);
        var bought = new TunnelFigures();
        var handMade = new TunnelFigures();
        var routing = new RoutingFigures();
        var mtu = 0;
        var sellerMtu = 0;
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            (mtu, sellerMtu) = await MeasureBoughtAsync(pair, bought);

            // A stopped seller leaves its filter (fail closed); the hand-made tunnel runs without one, as a bare tunnel would.
            await BoundedCommand.RunAsync(pair.B, limit, "nft", "flush", "ruleset");
            await using var handMadeTunnel = await HandMadeTunnel.CreateAsync(pair, mtu);
            await MeasureAsync(pair, HandMadeTunnel.SellerAddress, handMade);
            if (cycle == Cycles - 1)
            {
                await MeasureRoutingAsync(pair, handMadeTunnel, routing);
            }
        }

        var loadAfter = File.ReadAllText("/proc/loadavg").Trim();
        report.AddRate("bought tunnel, buyer → seller (Mbit/s)", bought.Upload);
        report.AddRate("hand-made tunnel, buyer → seller (Mbit/s)", handMade.Upload);
        report.AddRate("bought tunnel, seller → buyer, -R (Mbit/s)", bought.Download);
        report.AddRate("hand-made tunnel, seller → buyer, -R (Mbit/s)", handMade.Download);
        report.Add("ping through the bought tunnel, seller's tunnel address", bought.RoundTrips);
        report.Add("ping through the hand-made tunnel, seller's tunnel address", handMade.RoundTrips);
        report.Add("wireguard-go CPU (both sides) per GB received, bought, buyer → seller", bought.UploadCpu);
        report.Add("wireguard-go CPU per GB, hand-made, buyer → seller", handMade.UploadCpu);
        report.Add("wireguard-go CPU per GB, bought, seller → buyer", bought.DownloadCpu);
        report.Add("wireguard-go CPU per GB, hand-made, seller → buyer", handMade.DownloadCpu);
        report.Add("this process's CPU per second of transfer (simulator, seller and buyer cores), bought", bought.OwnCpu);
        report.Add("this process's CPU per second of transfer, hand-made (no ImpVpn running)", handMade.OwnCpu);
        report.Add("hand-made, plain routes: seller's tunnel address", routing.PlainPeer);
        report.Add("hand-made, full-tunnel routing: seller's tunnel address", routing.FullPeer);
        report.Add("hand-made, plain /32 route: 198.51.100.1 beyond the seller (forwarded)", routing.PlainFar);
        report.Add("hand-made, full-tunnel routing (default route in table 51820): 198.51.100.1", routing.FullFar);

        double upRatio = Median(bought.Upload) / Median(handMade.Upload), downRatio = Median(bought.Download) / Median(handMade.Download);
        report.Note($"MTU: the bought buyer interface {mtu}, the seller's {sellerMtu}; the hand-made tunnel was given {mtu} on both sides.");
        report.Note($"Throughput, bought ÷ hand-made (medians): buyer → seller {F(upRatio, "0.000")} ({F(Median(bought.Upload), "0.0")} ÷ {F(Median(handMade.Upload), "0.0")} Mbit/s), seller → buyer {F(downRatio, "0.000")} ({F(Median(bought.Download), "0.0")} ÷ {F(Median(handMade.Download), "0.0")} Mbit/s). Goal ≥ {F(Goal, "0.00")}: {(upRatio >= Goal && downRatio >= Goal ? "met" : "NOT met")} (both directions).");
        report.Note($"Per cycle, bought ÷ hand-made: buyer → seller {PerCycle(bought.Upload, handMade.Upload)}; seller → buyer {PerCycle(bought.Download, handMade.Download)}.");
        report.Note($"wireguard-go CPU per GB, bought ÷ hand-made (medians): buyer → seller {F(Median(bought.UploadCpu) / Median(handMade.UploadCpu), "0.000")}, seller → buyer {F(Median(bought.DownloadCpu) / Median(handMade.DownloadCpu), "0.000")}.");
        report.Note($"TCP retransmissions over all cycles: bought {bought.UploadRetransmits} up, {bought.DownloadRetransmits} down; hand-made {handMade.UploadRetransmits} up, {handMade.DownloadRetransmits} down.");
        report.Note($"Round trip, bought − hand-made (medians): {Ms(Median(bought.RoundTrips) - Median(handMade.RoundTrips))} ms. Full-tunnel routing − plain routes (medians): to the seller's tunnel address {Ms(Median(routing.FullPeer) - Median(routing.PlainPeer))} ms, to 198.51.100.1 {Ms(Median(routing.FullFar) - Median(routing.PlainFar))} ms.");
        report.Note($"Load average (/proc/loadavg) before: {loadBefore}; after: {loadAfter}.");
    }

    /// <summary>One purchase, measured, then torn down: the buyer's interface, the seller and its interface.</summary>
    private static async Task<(int BuyerMtu, int SellerMtu)> MeasureBoughtAsync(NetworkNamespacePair pair, TunnelFigures figures)
    {
        var none = CancellationToken.None;
        await using var market = await SimulatedMarket.StartAsync(pair, "ivtpS" + pair.Tag, IpPrefix.Parse("10.78.0.0/24"), [Iperf3.Port]);
        var contract = await market.BuyAsync(none);
        try
        {
            await SettleAsync();
            var mtus = (await LinkMtu.ReadAsync(pair.A, contract.InterfaceName), await LinkMtu.ReadAsync(pair.B, market.SellerInterface));
            await MeasureAsync(pair, contract.SellerTunnelAddress.Split('/')[0], figures);
            return mtus;
        }
        finally
        {
            await market.BuyerWireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, none);
        }
    }

    private static async Task MeasureAsync(NetworkNamespacePair pair, string sellerAddress, TunnelFigures figures)
    {
        using (Iperf3.StartServer(pair.B, sellerAddress))
        {
            foreach (var reverse in new[] { false, true })
            {
                var cpuBefore = WireGuardGoCpu.Read(pair.A, pair.B);
                var ownCpuBefore = OwnCpu();
                var run = await Iperf3.RunClientAsync(pair.A, sellerAddress, Seconds, reverse);

                // This process hosts the simulator and, for a bought tunnel, the seller and buyer cores: what they use
                // while the transfer runs is taken from the two cores wireguard-go and iperf3 share.
                figures.OwnCpu.Add((OwnCpu() - ownCpuBefore) / (Seconds + 1));

                // The omitted first second's bytes are not counted but its CPU is: an overestimate, the same for both tunnels.
                var cpuPerGigabyte = (WireGuardGoCpu.Read(pair.A, pair.B) - cpuBefore) * (1e9 / run.ReceivedBytes);
                (reverse ? figures.Download : figures.Upload).Add(run.ReceivedBitsPerSecond / 1e6);
                (reverse ? figures.DownloadCpu : figures.UploadCpu).Add(cpuPerGigabyte);
                if (reverse)
                {
                    figures.DownloadRetransmits += run.Retransmits;
                }
                else
                {
                    figures.UploadRetransmits += run.Retransmits;
                }
            }
        }

        figures.RoundTrips.AddRange(await PingRoundTrips.MeasureAsync(pair.A, sellerAddress, Pings));
    }

    /// <summary>Plain routes against full-tunnel routing on the hand-made tunnel, alternating plain, full, full,
    /// plain… so that a drift in the machine's load falls on both.</summary>
    private static async Task MeasureRoutingAsync(NetworkNamespacePair pair, HandMadeTunnel tunnel, RoutingFigures figures)
    {
        var limit = TimeSpan.FromSeconds(10);
        using var far = await FarDestination.AddAsync(pair.B, pair.Tag);
        string[] farRoute = [FarDestination.Address + "/32", "dev", tunnel.BuyerInterface];
        var full = false;
        await BoundedCommand.RunAsync(pair.A, limit, "ip", ["route", "add", .. farRoute]);
        for (var round = 0; round < RoutingRounds * 2; round++)
        {
            // ABBA: plain, full, full, plain, plain, full…
            var wantFull = round % 4 is 1 or 2;
            if (wantFull != full)
            {
                if (wantFull)
                {
                    await BoundedCommand.RunAsync(pair.A, limit, "ip", ["route", "del", .. farRoute]);
                    await FullTunnelRouting.ApplyAsync(pair.A, tunnel.BuyerInterface);
                }
                else
                {
                    await FullTunnelRouting.RemoveAsync(pair.A, tunnel.BuyerInterface);
                    await BoundedCommand.RunAsync(pair.A, limit, "ip", ["route", "add", .. farRoute]);
                }

                full = wantFull;
            }

            (full ? figures.FullPeer : figures.PlainPeer).AddRange(await PingRoundTrips.MeasureAsync(pair.A, HandMadeTunnel.SellerAddress, Pings));
            (full ? figures.FullFar : figures.PlainFar).AddRange(await PingRoundTrips.MeasureAsync(pair.A, FarDestination.Address, Pings));
        }
    }

    /// <summary>Waits (at most 10 s) until this process uses under 5 % of a core: a seller and buyer just started
    /// here have the runtime compiling their hot code again in the background (tiered JIT) for a few seconds, which
    /// a long-running seller has long finished and a buyer's finished pwsh never does while its tunnel carries traffic.</summary>
    private static async Task SettleAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var before = OwnCpu();
        do
        {
            await Task.Delay(500);
            var now = OwnCpu();
            if (now - before < TimeSpan.FromMilliseconds(25))
            {
                return;
            }

            before = now;
        }
        while (DateTime.UtcNow < deadline);
    }

    private static TimeSpan OwnCpu()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static string PerCycle(List<double> bought, List<double> handMade) =>
        string.Join(", ", bought.Zip(handMade, (b, h) => F(b / h, "0.00")));

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);

    /// <summary>What one kind of tunnel measured: rates in Mbit/s per cycle, retransmissions, echo round trips.</summary>
    private sealed class TunnelFigures
    {
        public List<double> Upload { get; } = [];

        public List<double> Download { get; } = [];

        /// <summary>wireguard-go's CPU time (both sides) per GB received, per cycle.</summary>
        public List<TimeSpan> UploadCpu { get; } = [];

        public List<TimeSpan> DownloadCpu { get; } = [];

        /// <summary>This process's CPU time per second of transfer (simulator, seller, buyer), per iperf3 run.</summary>
        public List<TimeSpan> OwnCpu { get; } = [];

        public long UploadRetransmits { get; set; }

        public long DownloadRetransmits { get; set; }

        public List<TimeSpan> RoundTrips { get; } = [];
    }

    /// <summary>Echo round trips on the hand-made tunnel, with plain routes and with full-tunnel routing.</summary>
    private sealed class RoutingFigures
    {
        public List<TimeSpan> PlainPeer { get; } = [];

        public List<TimeSpan> FullPeer { get; } = [];

        public List<TimeSpan> PlainFar { get; } = [];

        public List<TimeSpan> FullFar { get; } = [];
    }
}
