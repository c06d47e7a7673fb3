using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Bench;

/// <summary>
/// What a seller's stored history costs it: its start, one expiry round (run every second by a seller) and one
/// accept, over stores of 100, 1,000 and 10,000 seller contracts. The seller is a real VpnSeller without WireGuard
/// (config-only) over a real ContractStore on disk; its node is in memory, so the numbers are ImpVpn's own work.
/// </summary>
internal sealed class ExpiryRoundBenchmark : IBenchmark
{
    private const int Samples = 30;
    private const int DueEachRound = 5;
    private const string SellerKey = "02" + "5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e1";
    private const string BuyerKey = "03" + "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
    private static readonly int[] Sizes = [100, 1_000, 10_000];

    // Issue 12: a seller with 10,000 active contracts, of which few are due.
    private const int ActiveAtScale = 10_000;
    private static readonly int[] DueAtScale = [1, 10, 100];
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    public string Name => "expiry";

    public string Description =>
        $"A seller (VpnSeller, ConfigOnly, in-memory Lightning node) over a ContractStore on disk holding {string.Join(", ", Sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))} seller contracts " +
        $"(2 % Active with future expiry, the rest history: 70 % Expired, 30 % Cancelled). For each size, {Samples} samples of: an expiry round (ExpireAsync) " +
        $"with {DueEachRound} Active contracts due (each round expires and archives them; they are put back through the seller's repository, untimed, before the next); an expiry round with nothing due " +
        "(the seller's every-second steady state); and a quote + accept from a buyer's PeerRpcEndpoint over in-memory custom messages (the accepted contract file " +
        "is deleted afterwards, untimed, so the store keeps its size). Then (issue 12) a seller with " + ActiveAtScale.ToString("N0", CultureInfo.InvariantCulture) +
        $" active contracts (none due) and {string.Join(", ", DueAtScale)} more that are due: {Samples} expiry rounds each, the due ones put back (untimed) before each. " +
        "Allocated bytes are GC.GetTotalAllocatedBytes(precise: true) around the call, all threads.";

    public string? CannotRunBecause() => null;

    public async Task RunAsync(BenchReport report)
    {
        var watch = Stopwatch.StartNew();
        var seeding = new List<string>();
        foreach (var size in Sizes)
        {
            seeding.Add(await MeasureAsync(size, report).ConfigureAwait(false));
        }

        await MeasureAtScaleAsync(report).ConfigureAwait(false);
        report.Note("Seeding the stores (one fsync-ed file per contract, all in the live folder as a schema-1 store would have them; untimed) and the " +
            "seller's first start (which loads them once and archives the finished ones): " + string.Join("; ", seeding) +
            $". Whole benchmark: {watch.Elapsed.TotalSeconds:0} s. A round walks the in-memory index only as far as what is due, and accept reads " +
            "counters, so neither grows with the history a seller keeps.");
    }

    private static async Task<string> MeasureAsync(int size, BenchReport report)
    {
        var none = CancellationToken.None;
        var folder = Directory.CreateTempSubdirectory("impvpn-bench-expiry-").FullName;
        try
        {
            var store = new ContractStore(folder);
            var seeding = Stopwatch.StartNew();
            var due = Seed(store, size, DateTimeOffset.UtcNow);
            seeding.Stop();

            var sellerNode = new InMemoryLightningNode(SellerKey);
            var buyerNode = new InMemoryLightningNode(BuyerKey);
            InMemoryLightningNode.Link(sellerNode, buyerNode);
            var starting = Stopwatch.StartNew();
            await using var seller = new VpnSeller(sellerNode, null, store, new SellerOptions
            {
                InterfaceName = "impvpn-bench",
                Endpoint = "192.0.2.1:51820",
                Subnet = IpPrefix.Parse("10.77.0.0/16"),
                ConfigOnly = true,
                QuotesPerPeerPerMinute = int.MaxValue,
                // One buyer sends every sample's quote and accept: the per-peer request rate is not what is measured.
                PeerLimits = PeerRpcLimits.Default with { RequestBurst = 1_000_000, RequestsPerSecond = 1_000_000 },
            });
            await seller.StartAsync(none).ConfigureAwait(false);
            starting.Stop();

            // (a) rounds that expire a handful of contracts
            var dueTimes = new List<TimeSpan>();
            var dueBytes = new List<long>();
            for (var i = 0; i <= Samples; i++)
            {
                foreach (var contract in due)
                {
                    seller.Contracts.Save(contract);
                }

                var (took, bytes) = await Measure(() => seller.ExpireAsync(none)).ConfigureAwait(false);
                if (due.Any(c => seller.Contracts.Find(c.Id)?.State != SoldContractState.Expired))
                {
                    throw new InvalidOperationException("The expiry round did not expire the contracts due.");
                }

                if (i > 0) // the first is a warm-up: JIT, file cache
                {
                    dueTimes.Add(took);
                    dueBytes.Add(bytes);
                }
            }

            // (a') rounds with nothing to do: what a seller pays every second
            var idleTimes = new List<TimeSpan>();
            var idleBytes = new List<long>();
            for (var i = 0; i <= Samples; i++)
            {
                var (took, bytes) = await Measure(() => seller.ExpireAsync(none)).ConfigureAwait(false);
                if (i > 0)
                {
                    idleTimes.Add(took);
                    idleBytes.Add(bytes);
                }
            }

            // (c) quote + accept from a buyer
            await using var buyer = new PeerRpcEndpoint(buyerNode);
            buyer.Start();
            using var buyerKey = WireGuardPrivateKey.Generate();
            var quoteAcceptTimes = new List<TimeSpan>();
            var acceptTimes = new List<TimeSpan>();
            var acceptBytes = new List<long>();
            for (var i = 0; i <= Samples; i++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var watch = Stopwatch.StartNew();
                var quote = await buyer.CallAsync<QuoteResponse>(SellerKey, PeerProtocol.Quote, new QuoteRequest(3600, new TunnelOffer()), ReplyTimeout, none).ConfigureAwait(false);
                var quoted = watch.Elapsed;
                var accepted = await buyer.CallAsync<AcceptResponse>(SellerKey, PeerProtocol.Accept, new AcceptRequest(
                    quote.Nonce, quote.PriceSat, quote.DurationSeconds, quote.ExpiresAt, quote.Offer, quote.Promise, buyerKey.PublicKey.ToBase64(), Hex(32)), ReplyTimeout, none).ConfigureAwait(false);
                var total = watch.Elapsed;
                var bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
                // Cancelled (untimed) so that the store keeps its size and the open-contract cap is never reached.
                using (await seller.Contracts.LockAsync(none).ConfigureAwait(false))
                {
                    seller.Contracts.Save(seller.Contracts.FindLive(accepted.ContractId)!.Cancelled());
                }
                if (i > 0)
                {
                    quoteAcceptTimes.Add(total);
                    acceptTimes.Add(total - quoted);
                    acceptBytes.Add(bytes);
                }
            }

            var n = size.ToString("N0", CultureInfo.InvariantCulture);
            report.Add($"{n} contracts: expiry round, {DueEachRound} due (each expired and saved)", dueTimes);
            report.Add($"{n} contracts: expiry round, nothing due", idleTimes);
            report.Add($"{n} contracts: quote + accept from a buyer (round trip, in-memory messages)", quoteAcceptTimes);
            report.Add($"{n} contracts: of which accept", acceptTimes);
            report.AddBytes($"{n} contracts: expiry round, {DueEachRound} due", dueBytes);
            report.AddBytes($"{n} contracts: expiry round, nothing due", idleBytes);
            report.AddBytes($"{n} contracts: quote + accept (buyer and seller, one process)", acceptBytes);
            report.Add($"{n} contracts: the seller's start (load once, archive history; one sample)", [starting.Elapsed]);
            return $"{n} contracts in {seeding.Elapsed.TotalSeconds:0.0} s, first start {starting.Elapsed.TotalSeconds:0.00} s";
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Rounds over 10,000 active contracts of which 1, 10 or 100 are due: the cost should follow the due
    /// ones, not the active ones (each due one is one fsync-ed write and one archive move).</summary>
    private static async Task MeasureAtScaleAsync(BenchReport report)
    {
        var none = CancellationToken.None;
        var folder = Directory.CreateTempSubdirectory("impvpn-bench-expiry-scale-").FullName;
        try
        {
            var subnet = IpPrefix.Parse("10.77.0.0/16");
            var now = DateTimeOffset.UtcNow;
            ActiveSoldStore.Write(folder, ActiveAtScale, subnet, firstHost: 2, now);
            var sellerNode = new InMemoryLightningNode(SellerKey);
            await using var seller = new VpnSeller(sellerNode, null, new ContractStore(folder), new SellerOptions
            {
                InterfaceName = "impvpn-bench",
                Endpoint = "192.0.2.1:51820",
                Subnet = subnet,
                ConfigOnly = true,
                MaxActiveContracts = 1_000_000,
            });
            await seller.StartAsync(none).ConfigureAwait(false);
            var n = ActiveAtScale.ToString("N0", CultureInfo.InvariantCulture);
            foreach (var count in DueAtScale)
            {
                var due = Enumerable.Range(0, count).Select(i => ActiveSoldStore.Active($"10.77.250.{i}", subnet, now.AddHours(-2), now.AddMinutes(-1))).ToList();
                var times = new List<TimeSpan>();
                var bytes = new List<long>();
                for (var i = 0; i <= Samples; i++)
                {
                    foreach (var contract in due)
                    {
                        seller.Contracts.Save(contract);
                    }

                    var (took, allocated) = await Measure(() => seller.ExpireAsync(none)).ConfigureAwait(false);
                    if (due.Any(c => seller.Contracts.FindLive(c.Id) is not null) || seller.Contracts.Active != ActiveAtScale)
                    {
                        throw new InvalidOperationException("The expiry round did not expire exactly the contracts due.");
                    }

                    if (i > 0)
                    {
                        times.Add(took);
                        bytes.Add(allocated);
                    }
                }

                report.Add($"{n} active contracts: expiry round, {count} due (each expired, saved, archived)", times);
                report.AddBytes($"{n} active contracts: expiry round, {count} due", bytes);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(TimeSpan Took, long Bytes)> Measure(Func<Task> action)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await action().ConfigureAwait(false);
        var took = watch.Elapsed;
        return (took, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    /// <summary>Writes <paramref name="size"/> minus the due contracts to the seller's folder, and returns the due
    /// ones (Active, expiring a minute ago) for each round to put back.</summary>
    private static List<SoldContract> Seed(ContractStore store, int size, DateTimeOffset now)
    {
        var shelf = store.Shelf<SoldContract>("sold", "Seller");
        var active = Math.Max(1, size * 2 / 100);
        var history = size - active - DueEachRound;
        var host = 2; // 10.77.0.1 is the seller's
        SoldContract Accepted(DateTimeOffset created, bool leased) => ActiveSoldStore.Accepted(
            leased ? $"10.77.{host / 256}.{host++ % 256}" : $"10.77.255.{RandomNumberGenerator.GetInt32(1, 254)}", "10.77.0.1", created);
        SoldContract Active(DateTimeOffset created, DateTimeOffset expires, bool leased) => Accepted(created, leased).Activated(expires).InvoiceWasSettled();

        for (var i = 0; i < history; i++)
        {
            var created = now.AddDays(-400).AddSeconds(i * 3000.0);
            shelf.Save(i % 10 < 7 ? Active(created, created.AddHours(1), leased: false).Expired() : Accepted(created, leased: false).Cancelled());
        }

        for (var i = 0; i < active; i++)
        {
            shelf.Save(Active(now.AddHours(-1), now.AddDays(1 + (i % 30)), leased: true));
        }

        return Enumerable.Range(0, DueEachRound).Select(_ => Active(now.AddHours(-2), now.AddMinutes(-1), leased: true)).ToList();
    }

    private static string Hex(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();
}
