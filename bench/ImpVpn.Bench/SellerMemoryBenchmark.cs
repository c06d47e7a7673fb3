using System.Globalization;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Bench;

/// <summary>
/// What each active contract costs a running seller in memory (issue 12): the managed heap after a full collection,
/// before and after a config-only seller starts over a store of 0, 1,000 and 10,000 active contracts (the seller
/// loads them once and keeps them indexed: SoldContracts, its address pool, the quote nonces it remembers).
/// </summary>
internal sealed class SellerMemoryBenchmark : IBenchmark
{
    private const int Samples = 3;
    private const string SellerKey = "02" + "5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e11e5e1";
    private static readonly int[] Sizes = [0, 1_000, 10_000];
    private static readonly IpPrefix Subnet = IpPrefix.Parse("10.78.0.0/16");

    public string Name => "seller-memory";

    public string Description =>
        $"Managed heap (GC.GetTotalMemory after full, compacting collections) held by a started seller (VpnSeller, config-only, in-memory Lightning node) " +
        $"over a store of {string.Join(", ", Sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))} active contracts of real size, " +
        $"{Samples} samples each (a fresh copy of the store and a fresh seller each time; one seller started and stopped first, untimed, so that " +
        "what the runtime keeps once per process is not counted).";

    public string? CannotRunBecause() => null;

    public async Task RunAsync(BenchReport report)
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-bench-memory-").FullName;
        try
        {
            var template = Path.Combine(folder, "template");
            ActiveSoldStore.Write(template, Sizes.Max(), Subnet, firstHost: 2, DateTimeOffset.UtcNow);
            await HeldBySellerAsync(folder, template, 0, "warm-up").ConfigureAwait(false);
            var medians = new Dictionary<int, long>();
            foreach (var size in Sizes)
            {
                var samples = new List<long>();
                for (var i = 0; i < Samples; i++)
                {
                    samples.Add(await HeldBySellerAsync(folder, template, size, $"{size}-{i}").ConfigureAwait(false));
                }

                report.AddBytes($"heap held by a started seller, {size:N0} active contracts", samples);
                medians[size] = samples.Order().ElementAt(samples.Count / 2);
            }

            var perContract = Sizes.Where(s => s > 0).Select(s =>
                $"{(medians[s] - medians[0]) / (double)s:0} bytes per contract at {s:N0} ((median at {s:N0} − median at 0) / {s:N0})");
            report.Note($"Per active contract: {string.Join("; ", perContract)}. A contract file on disk is about " +
                $"{new FileInfo(Directory.EnumerateFiles(Path.Combine(template, "contracts", "sold"), "*.json").First()).Length} bytes of JSON.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<long> HeldBySellerAsync(string folder, string template, int contracts, string tag)
    {
        var store = Path.Combine(folder, "store-" + tag);
        ActiveSoldStore.Copy(template, store, contracts);
        var before = Heap();
        var seller = new VpnSeller(new InMemoryLightningNode(SellerKey), null, new ContractStore(store), new SellerOptions
        {
            InterfaceName = "bncM0",
            Endpoint = "192.0.2.1:51820",
            Subnet = Subnet,
            ConfigOnly = true,
            MaxActiveContracts = 1_000_000,
        });
        await seller.StartAsync(CancellationToken.None).ConfigureAwait(false);
        if (seller.Contracts.Active != contracts)
        {
            throw new InvalidOperationException($"The seller loaded {seller.Contracts.Active} active contracts, not {contracts}.");
        }

        var held = Heap() - before;
        GC.KeepAlive(seller);
        await seller.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(store, recursive: true);
        return held;
    }

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
