using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.LndSim.Hosting;
using ImpVpn.LndSim.Network;

namespace ImpVpn.Bench;

/// <summary>
/// Purchases per second one seller completes, at 0 and at 10,000 active contracts (issue 12). Two settings, each
/// with many concurrent buyers: (a) the whole purchase, in-process ImpVpn buyers (Core/Buying, config-only) and the
/// seller over the LND simulator's `ideal` profile, each buyer its own node with a channel to the seller; (b) the
/// seller alone, its node in memory with every hold invoice held at once and its buyers bare peer endpoints
/// sending quote, accept, activate and claim, so that what is left is the seller's own work. Both sellers are
/// config-only (no WireGuard device): the peer added per purchase is measured by wireguard-add-peer.
/// </summary>
internal sealed class SellerThroughputBenchmark : IBenchmark
{
    private const int Buyers = 16;
    private const int Rounds = 5;

    // Whole purchases: every round fits in the pool's first /24 (ImpVpn buyers refuse a tunnel whose two addresses
    // are not in one /24, TunnelPlacement), and is expired (untimed) before the next.
    private const int PurchasesPerRound = 200;
    private const int SellerAlonePerRound = 1000;
    private const int SequentialPurchases = 200;
    private const string SellerKey = "02" + "5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e1";
    private static readonly int[] Sizes = [0, 10_000];
    private static readonly IpPrefix Subnet = IpPrefix.Parse("10.78.0.0/16");
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    public string Name => "seller-throughput";

    public string Description =>
        $"Purchases per second one seller (VpnSeller, config-only: no WireGuard device) completes with {Buyers} concurrent buyers, with " +
        $"{string.Join(" and ", Sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))} active contracts in its store before it starts " +
        $"(pool {Subnet}). (a) Whole purchases (quote → accept → pay → activate → claim, settled) by in-process ImpVpn buyers " +
        $"(Core/Buying, config-only, a fresh store each round), each on its own simulated node with a channel to the seller, over the LND simulator " +
        $"in-process (gRPC + TLS on loopback) with the `ideal` profile, so the simulator adds no deliberate latency: {Rounds} rounds of {PurchasesPerRound}. " +
        $"(b) The seller alone: its node in memory, every hold invoice held at once, {Buyers} bare peer endpoints sending quote, accept, activate and " +
        $"claim over in-memory custom messages: {Rounds} rounds of {SellerAlonePerRound}, then {SequentialPurchases} purchases one at a time, split by request. " +
        "Each round's purchases are expired and archived through the seller's repository (untimed) before the next, so the store keeps its size.";

    public string? CannotRunBecause() => null;

    public async Task RunAsync(BenchReport report)
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-bench-throughput-").FullName;
        try
        {
            var seeding = Stopwatch.StartNew();
            var now = DateTimeOffset.UtcNow;
            // (a) leaves the first /24 free for the buyers' purchases; (b) leases from the pool's first host on, as a
            // seller that has sold 10,000 tunnels would have, so a new lease looks past all of them.
            var above = Path.Combine(folder, "template-above-first-24");
            ActiveSoldStore.Write(above, Sizes.Max(), Subnet, firstHost: 256 + 2, now);
            var fromStart = Path.Combine(folder, "template-from-host-2");
            ActiveSoldStore.Write(fromStart, Sizes.Max(), Subnet, firstHost: 2, now);
            seeding.Stop();

            MeasureContractWrites(report, folder);
            await MeasureWholePurchasesAsync(report, folder, above).ConfigureAwait(false);
            await MeasureSellerAloneAsync(report, folder, fromStart).ConfigureAwait(false);
            report.Note($"Seeding two stores of {Sizes.Max():N0} active contracts (fsync-ed, untimed): {seeding.Elapsed.TotalSeconds:0.0} s.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>What one contract write costs on this disk (the store's atomic write: a temporary file flushed to
    /// disk, then renamed): a seller makes four per purchase (accept, activate, claim's two), each under its lock.</summary>
    private static void MeasureContractWrites(BenchReport report, string folder)
    {
        var shelf = new ContractStore(Path.Combine(folder, "writes")).Shelf<SoldContract>("sold", "Seller");
        var contract = ActiveSoldStore.Active("10.78.0.2", Subnet, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));
        var times = new List<TimeSpan>();
        for (var i = 0; i < 210; i++)
        {
            var watch = Stopwatch.StartNew();
            shelf.Save(contract);
            if (i >= 10)
            {
                times.Add(watch.Elapsed);
            }
        }

        report.Add("one contract written to the store (atomic: flushed to disk, renamed), one at a time", times);
    }

    private static SellerOptions Options() => new()
    {
        InterfaceName = "bncS0",
        Endpoint = "192.0.2.1:51820",
        Subnet = Subnet,
        ConfigOnly = true,
        // The benchmark's buyers are few and fast: the seller's per-peer shares would refuse them long before the
        // seller itself is busy, and those limits are not what is measured.
        QuotesPerPeerPerMinute = int.MaxValue,
        MaxOpenContracts = 1_000_000,
        MaxActiveContracts = 1_000_000,
        MaxUnpaidPerPeer = 1_000_000,
        PeerLimits = PeerRpcLimits.Default with { RequestBurst = 1_000_000, RequestsPerSecond = 1_000_000 },
    };

    private static async Task MeasureWholePurchasesAsync(BenchReport report, string folder, string template)
    {
        var none = CancellationToken.None;
        var names = Enumerable.Range(0, Buyers).Select(i => "buyer" + i).ToList();
        await using var simulation = await Simulation.StartAsync(new SimulationOptions
        {
            BaseDirectory = Path.Combine(folder, "lnd"),
            Nodes = [new SimNodeSpec("seller"), .. names.Select(n => new SimNodeSpec(n))],
            Profile = SimProfile.Ideal,
        }, none).ConfigureAwait(false);
        foreach (var name in names)
        {
            await simulation.OpenChannelAsync(name, "seller", 50_000_000).ConfigureAwait(false);
        }

        LndConnectionOptions Connection(SimNode n) => LndConnectionOptions.FromFiles(n.RpcAddress, n.TlsCertPath, n.MacaroonPath, "regtest");
        var sellerNode = new TimedLightningNode(await LndNode.ConnectAsync(Connection(simulation["seller"]), true, none).ConfigureAwait(false));
        var buyerNodes = new List<LndNode>();
        foreach (var name in names)
        {
            buyerNodes.Add(await LndNode.ConnectAsync(Connection(simulation[name]), true, none).ConfigureAwait(false));
        }

        try
        {
            foreach (var size in Sizes)
            {
                var store = Path.Combine(folder, $"seller-a-{size}");
                if (size > 0)
                {
                    ActiveSoldStore.Copy(template, store);
                }

                var starting = Stopwatch.StartNew();
                await using var seller = new VpnSeller(sellerNode, null, new ContractStore(store), Options());
                await seller.StartAsync(none).ConfigureAwait(false);
                starting.Stop();
                var seeded = seller.Contracts.Live.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
                var sellerPubKey = simulation["seller"].PubKey;

                // Warm-up: JIT (tiered: a method is recompiled after its first 30 calls), connections.
                await RunWholeRoundAsync(folder, buyerNodes, sellerPubKey, 100, $"warm-{size}").ConfigureAwait(false);
                await ExpireAsync(seller, seeded).ConfigureAwait(false);

                var rates = new List<double>();
                var latencies = new ConcurrentBag<TimeSpan>();
                var cpuPerPurchase = new List<TimeSpan>();
                var sellerLndPerPurchase = new List<TimeSpan>();
                for (var round = 0; round < Rounds; round++)
                {
                    sellerNode.Reset();
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var watch = Stopwatch.StartNew();
                    foreach (var took in await RunWholeRoundAsync(folder, buyerNodes, sellerPubKey, PurchasesPerRound, $"{size}-{round}").ConfigureAwait(false))
                    {
                        latencies.Add(took);
                    }

                    var elapsed = watch.Elapsed;
                    cpuPerPurchase.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu) / PurchasesPerRound);
                    sellerLndPerPurchase.Add((sellerNode.CallTime + sellerNode.PaymentTime) / PurchasesPerRound);
                    rates.Add(PurchasesPerRound / elapsed.TotalSeconds);
                    await ExpireAsync(seller, seeded).ConfigureAwait(false);
                }

                var n = size.ToString("N0", CultureInfo.InvariantCulture);
                report.AddRate($"(a) whole purchases completed per second, {n} active contracts, {Buyers} buyers (per round)", rates);
                report.Add($"(a) {n} active: one purchase, quote → settled, under load (each buyer's wall time)", latencies.ToList());
                report.Add($"(a) {n} active: process CPU per purchase (seller + {Buyers} buyers + simulator, both cores)", cpuPerPurchase);
                report.Add($"(a) {n} active: seller's LND calls per purchase (summed call time; AddHoldInvoice, LookupInvoice, SettleInvoice, SendCustomMessage…)", sellerLndPerPurchase);
                report.Add($"(a) {n} active: the seller's start (load the store; one sample)", [starting.Elapsed]);
            }
        }
        finally
        {
            await sellerNode.DisposeAsync().ConfigureAwait(false);
            foreach (var node in buyerNodes)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Buyers, each with a fresh store (a buyer's store is read whole to find an earlier purchase of the
    /// same quote, so an old one would add the buyer's history to each purchase), buy until <paramref name="purchases"/>
    /// are done; returns each purchase's wall time.</summary>
    private static async Task<List<TimeSpan>> RunWholeRoundAsync(string folder, IReadOnlyList<LndNode> nodes, string sellerPubKey, int purchases, string tag)
    {
        var none = CancellationToken.None;
        var buyers = nodes.Select((node, i) => new Buyer(node, new BoughtContracts(new ContractStore(Path.Combine(folder, $"buyer-{tag}-{i}"))), null)).ToList();
        var times = new ConcurrentBag<TimeSpan>();
        var next = 0;
        try
        {
            await Task.WhenAll(buyers.Select(buyer => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) <= purchases)
                {
                    var watch = Stopwatch.StartNew();
                    var quote = await buyer.Quotes.RequestAsync(new SellerNode(sellerPubKey, null), TimeSpan.FromHours(1), ReplyTimeout, none).ConfigureAwait(false);
                    var contract = await buyer.Purchase.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 2000, ConfigOnly = true }, none).ConfigureAwait(false);
                    if (contract.State != BoughtContractState.Active)
                    {
                        throw new InvalidOperationException($"A purchase ended {contract.State}, not Active.");
                    }

                    times.Add(watch.Elapsed);
                }
            }))).ConfigureAwait(false);
        }
        finally
        {
            foreach (var buyer in buyers)
            {
                await buyer.DisposeAsync().ConfigureAwait(false);
            }
        }

        return times.ToList();
    }

    /// <summary>Expires what the benchmark bought (the seeded contracts stay), as the expiry round would at their
    /// end: each file saved and archived, its address back in the pool.</summary>
    private static async Task ExpireAsync(VpnSeller seller, HashSet<string> seeded)
    {
        using (await seller.Contracts.LockAsync(CancellationToken.None).ConfigureAwait(false))
        {
            foreach (var contract in seller.Contracts.Live.Where(c => !seeded.Contains(c.Id)))
            {
                seller.Contracts.Save(contract is { State: SoldContractState.Active, InvoiceSettled: true } ? contract.Expired() : contract.Cancelled());
            }
        }
    }

    private static async Task MeasureSellerAloneAsync(BenchReport report, string folder, string template)
    {
        var none = CancellationToken.None;
        foreach (var size in Sizes)
        {
            var store = Path.Combine(folder, $"seller-b-{size}");
            if (size > 0)
            {
                ActiveSoldStore.Copy(template, store);
            }

            var sellerNode = new InMemoryLightningNode(SellerKey, holdsEveryInvoice: true);
            var buyerNodes = Enumerable.Range(0, Buyers).Select(i => new InMemoryLightningNode("03" + i.ToString("x2", CultureInfo.InvariantCulture) + new string('b', 62))).ToList();
            buyerNodes.ForEach(b => InMemoryLightningNode.Link(sellerNode, b));
            await using var seller = new VpnSeller(sellerNode, null, new ContractStore(store), Options());
            await seller.StartAsync(none).ConfigureAwait(false);
            var seeded = seller.Contracts.Live.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            var endpoints = buyerNodes.Select(b => new PeerRpcEndpoint(b)).ToList();
            endpoints.ForEach(e => e.Start());
            try
            {
                await RunBareRoundAsync(endpoints, 2 * Buyers, null).ConfigureAwait(false); // warm-up
                await ExpireAsync(seller, seeded).ConfigureAwait(false);
                var rates = new List<double>();
                var cpuPerPurchase = new List<TimeSpan>();
                for (var round = 0; round < Rounds; round++)
                {
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var watch = Stopwatch.StartNew();
                    await RunBareRoundAsync(endpoints, SellerAlonePerRound, null).ConfigureAwait(false);
                    var elapsed = watch.Elapsed;
                    cpuPerPurchase.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu) / SellerAlonePerRound);
                    rates.Add(SellerAlonePerRound / elapsed.TotalSeconds);
                    await ExpireAsync(seller, seeded).ConfigureAwait(false);
                }

                // One at a time: the seller's own time per request, with no queue in front of it.
                var steps = new StepTimes();
                await RunBareRoundAsync(endpoints.Take(1).ToList(), SequentialPurchases, steps).ConfigureAwait(false);
                await ExpireAsync(seller, seeded).ConfigureAwait(false);

                var n = size.ToString("N0", CultureInfo.InvariantCulture);
                report.AddRate($"(b) seller alone: purchases completed per second, {n} active contracts, {Buyers} buyers (per round)", rates);
                report.Add($"(b) {n} active: process CPU per purchase (seller + bare buyers, both cores)", cpuPerPurchase);
                report.Add($"(b) {n} active, one buyer at a time: quote round trip", steps.Quote.ToList());
                report.Add($"(b) {n} active, one buyer at a time: accept (hold invoice, contract written)", steps.Accept.ToList());
                report.Add($"(b) {n} active, one buyer at a time: activate (held payment checked, contract written)", steps.Activate.ToList());
                report.Add($"(b) {n} active, one buyer at a time: claim (preimage written, settled, written)", steps.Claim.ToList());
                report.Add($"(b) {n} active, one buyer at a time: whole purchase", steps.Whole.ToList());
            }
            finally
            {
                foreach (var endpoint in endpoints)
                {
                    await endpoint.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task RunBareRoundAsync(IReadOnlyList<PeerRpcEndpoint> endpoints, int purchases, StepTimes? steps)
    {
        var next = 0;
        await Task.WhenAll(endpoints.Select(endpoint => Task.Run(async () =>
        {
            using var key = WireGuardPrivateKey.Generate();
            var buyerKey = key.PublicKey.ToBase64();
            while (Interlocked.Increment(ref next) <= purchases)
            {
                await BarePurchaseAsync(endpoint, buyerKey, steps).ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
    }

    /// <summary>A purchase as an ImpVpn buyer's requests make it, without the buyer's own work (no checks, no
    /// store, no payment: the in-memory node holds every invoice).</summary>
    private static async Task BarePurchaseAsync(PeerRpcEndpoint buyer, string buyerKey, StepTimes? steps)
    {
        var none = CancellationToken.None;
        var preimage = RandomNumberGenerator.GetBytes(32);
        var hash = Convert.ToHexString(SHA256.HashData(preimage)).ToLowerInvariant();
        var watch = Stopwatch.StartNew();
        var quote = await buyer.CallAsync<QuoteResponse>(SellerKey, PeerProtocol.Quote, new QuoteRequest(3600, new TunnelOffer()), ReplyTimeout, none).ConfigureAwait(false);
        var quoted = watch.Elapsed;
        var accepted = await buyer.CallAsync<AcceptResponse>(SellerKey, PeerProtocol.Accept, new AcceptRequest(
            quote.Nonce, quote.PriceSat, quote.DurationSeconds, quote.ExpiresAt, quote.Offer, quote.Promise, buyerKey, hash), ReplyTimeout, none).ConfigureAwait(false);
        var acceptedAt = watch.Elapsed;
        await buyer.CallAsync<ActivateResponse>(SellerKey, PeerProtocol.Activate, new ActivateRequest(accepted.ContractId, hash), ReplyTimeout, none).ConfigureAwait(false);
        var activated = watch.Elapsed;
        await buyer.CallAsync<ClaimResponse>(SellerKey, PeerProtocol.Claim,
            new ClaimRequest(accepted.ContractId, hash, Convert.ToHexString(preimage).ToLowerInvariant()), ReplyTimeout, none).ConfigureAwait(false);
        var claimed = watch.Elapsed;
        if (steps is not null)
        {
            steps.Quote.Add(quoted);
            steps.Accept.Add(acceptedAt - quoted);
            steps.Activate.Add(activated - acceptedAt);
            steps.Claim.Add(claimed - activated);
            steps.Whole.Add(claimed);
        }
    }

    private sealed class StepTimes
    {
        public ConcurrentBag<TimeSpan> Quote { get; } = [];

        public ConcurrentBag<TimeSpan> Accept { get; } = [];

        public ConcurrentBag<TimeSpan> Activate { get; } = [];

        public ConcurrentBag<TimeSpan> Claim { get; } = [];

        public ConcurrentBag<TimeSpan> Whole { get; } = [];
    }
}
