using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.LndSim.Hosting;
using ImpVpn.LndSim.Network;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>A buyer (alice) and a seller (bob) on the LND simulator with a channel between them, each with its
/// own store, wired to whatever WireGuard clients the test gives.</summary>
internal sealed class PurchaseNetwork : IAsyncDisposable
{
    private readonly string _folder;
    private readonly CancellationTokenSource _stop = new();

    private PurchaseNetwork(string folder, Simulation simulation, LndNode alice, LndNode bob)
    {
        _folder = folder;
        Simulation = simulation;
        AliceNode = alice;
        BobNode = bob;
        BuyerStore = new ContractStore(Path.Combine(folder, "buyer"));
        BoughtContracts = new BoughtContracts(BuyerStore);
        SellerStore = new ContractStore(Path.Combine(folder, "seller"));
    }

    public Simulation Simulation { get; }

    public LndNode AliceNode { get; }

    public LndNode BobNode { get; }

    public ContractStore BuyerStore { get; }

    /// <summary>alice's bought contracts.</summary>
    public BoughtContracts BoughtContracts { get; }

    public static LndConnectionOptions OptionsFor(SimNode node) => Options(node);

    public ContractStore SellerStore { get; }

    public VpnSeller? Seller { get; private set; }

    public string SellerPubKey => Simulation["bob"].PubKey;

    public static async Task<PurchaseNetwork> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-purchase-").FullName;
        var simulation = await Simulation.StartAsync(new SimulationOptions
        {
            BaseDirectory = Path.Combine(folder, "lnd"),
            Nodes = [new SimNodeSpec("alice"), new SimNodeSpec("bob"), new SimNodeSpec("carol")],
            // Purchases are tested against LND as it is: latency, and a payment IN_FLIGHT before the seller holds it.
            Profile = SimProfile.Realistic,
        }, CancellationToken.None);
        await simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        var alice = await LndNode.ConnectAsync(Options(simulation["alice"]), true, CancellationToken.None);
        var bob = await LndNode.ConnectAsync(Options(simulation["bob"]), true, CancellationToken.None);
        return new PurchaseNetwork(folder, simulation, alice, bob);
    }

    private static LndConnectionOptions Options(SimNode node) =>
        LndConnectionOptions.FromFiles(node.RpcAddress, node.TlsCertPath, node.MacaroonPath, "regtest");

    /// <param name="node">bob's node as the seller sees it; bob's own by default (a test may wrap it in hooks).</param>
    /// <param name="clock">the seller's clock; the real one by default.</param>
    /// <param name="connectBack">how the seller reaches its own forwarded ports (the test process's network by default).</param>
    public async Task<VpnSeller> StartSellerAsync(WireGuardHost wireGuard, SellerOptions options, ILightningNode? node = null, TimeProvider? clock = null, IConnectBack? connectBack = null)
    {
        Seller = new VpnSeller(node ?? BobNode, wireGuard, SellerStore, options, clock: clock) { ConnectBack = connectBack ?? new SocketConnectBack() };
        await Seller.StartAsync(_stop.Token);
        return Seller;
    }

    /// <param name="contracts">another store's contracts (a second machine of alice's); alice's own by default.</param>
    public TestBuyer Buyer(WireGuardHost? wireGuard, ILightningNode? node = null, BoughtContracts? contracts = null) =>
        new(node ?? AliceNode, contracts ?? BoughtContracts, wireGuard);

    /// <summary>A second, empty store of alice's, as on another machine.</summary>
    public BoughtContracts OtherBuyerStore() => new(new ContractStore(Path.Combine(_folder, "buyer-" + Guid.NewGuid().ToString("N"))));

    public long AliceMsat => Simulation["alice"].LocalBalanceMsat;

    public long BobMsat => Simulation["bob"].LocalBalanceMsat;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (Seller is not null)
        {
            await Seller.DisposeAsync();
        }

        await AliceNode.DisposeAsync();
        await BobNode.DisposeAsync();
        await Simulation.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
