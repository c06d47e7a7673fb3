using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.LndSim.Hosting;
using ImpVpn.LndSim.Network;

namespace ImpVpn.Core.Tests.Realistic;

/// <summary>
/// One seller and four buyers on the simulator, the buyer of lane N reaching the seller over N hops through routing
/// nodes of its own (b1–seller; b2–r2a–seller; b3–r3a–r3b–seller; b4–r4a–r4b–r4c–seller), so lanes run side by side
/// without sharing a channel and each buyer's balance tells what that lane paid. The seller runs over a hooked node so
/// a test can restart it at the moment a payment is held.
/// </summary>
internal sealed class MatrixNetwork : IAsyncDisposable
{
    public const string SellerName = "seller";

    private readonly string _folder;
    private readonly SemaphoreSlim _restarting = new(1, 1);
    private readonly LndNode _sellerNode;

    private MatrixNetwork(string folder, Simulation simulation, LndNode sellerNode, IReadOnlyList<MatrixLane> lanes)
    {
        _folder = folder;
        Simulation = simulation;
        _sellerNode = sellerNode;
        SellerNode = new HookedLightningNode(sellerNode);
        SellerStore = new ContractStore(Path.Combine(folder, "seller"));
        Lanes = lanes;
    }

    public Simulation Simulation { get; }

    public IReadOnlyList<MatrixLane> Lanes { get; }

    public HookedLightningNode SellerNode { get; }

    public ContractStore SellerStore { get; }

    public RecordingWireGuard SellerWireGuard { get; } = new();

    public VpnSeller Seller { get; private set; } = null!;

    public int SellerRestarts { get; private set; }

    public string SellerPubKey => Simulation[SellerName].PubKey;

    public long SellerMsat => Simulation[SellerName].LocalBalanceMsat;

    /// <summary>A short claim window and a quick expiry round, so a purchase whose buyer gave up is refunded within
    /// seconds; quote and request rates high enough that four busy buyers are never told to slow down, since the
    /// matrix is about Lightning, not about the seller's fairness limits (tested elsewhere).</summary>
    public static SellerOptions SellerOptions { get; } = new()
    {
        InterfaceName = "ivs-matrix",
        Endpoint = "192.0.2.1:51820",
        Subnet = IpPrefix.Parse("10.78.0.0/23"),
        ClaimWindow = TimeSpan.FromSeconds(8),
        ExpiryCheckInterval = TimeSpan.FromMilliseconds(250),
        QuotesPerPeerPerMinute = 10_000,
        MaxUnpaidPerPeer = 4,
        PeerLimits = ImpVpn.Core.Protocol.PeerRpcLimits.Default with { RequestBurst = 10_000, RequestsPerSecond = 10_000 },
    };

    public static async Task<MatrixNetwork> StartAsync(SimProfile profile)
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-matrix-").FullName;
        var names = new List<string> { SellerName };
        for (var hops = 1; hops <= 4; hops++)
        {
            names.Add(BuyerName(hops));
            names.AddRange(RouterNames(hops));
        }

        var simulation = await Simulation.StartAsync(new SimulationOptions
        {
            BaseDirectory = Path.Combine(folder, "lnd"),
            Nodes = names.Select(n => new SimNodeSpec(n)).ToList(),
            Profile = profile,
        }, CancellationToken.None);
        var lanes = new List<MatrixLane>();
        for (var hops = 1; hops <= 4; hops++)
        {
            // Funded from the buyer's side, so the money flows toward the seller along the chain.
            var path = new[] { BuyerName(hops) }.Concat(RouterNames(hops)).Append(SellerName).ToArray();
            for (var i = 0; i + 1 < path.Length; i++)
            {
                await simulation.OpenChannelAsync(path[i], path[i + 1], 5_000_000);
            }

            var node = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(simulation[BuyerName(hops)]), true, CancellationToken.None);
            lanes.Add(new MatrixLane(hops, simulation[BuyerName(hops)], node, Path.Combine(folder, "buyer-" + hops)));
        }

        var sellerNode = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(simulation[SellerName]), true, CancellationToken.None);
        var network = new MatrixNetwork(folder, simulation, sellerNode, lanes);
        network.Seller = new VpnSeller(network.SellerNode, network.SellerWireGuard.Host, network.SellerStore, SellerOptions);
        await network.Seller.StartAsync(CancellationToken.None);
        return network;
    }

    /// <summary>Stops the seller as a crash would cut it off (whatever it was doing is abandoned) and starts a new one
    /// on the same store and node, as a service manager restarts it.</summary>
    public async Task RestartSellerAsync()
    {
        await _restarting.WaitAsync();
        try
        {
            await Seller.DisposeAsync();
            Seller = new VpnSeller(SellerNode, SellerWireGuard.Host, SellerStore, SellerOptions);
            await Seller.StartAsync(CancellationToken.None);
            SellerRestarts++;
        }
        finally
        {
            _restarting.Release();
        }
    }

    private static string BuyerName(int hops) => "b" + hops;

    private static IEnumerable<string> RouterNames(int hops) => Enumerable.Range(0, hops - 1).Select(i => $"r{hops}{(char)('a' + i)}");

    public async ValueTask DisposeAsync()
    {
        await Seller.DisposeAsync();
        foreach (var lane in Lanes)
        {
            await lane.DisposeAsync();
        }

        await _sellerNode.DisposeAsync();
        await Simulation.DisposeAsync();
        _restarting.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
