using ImpVpn.Core.Buying;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.LndSim.Hosting;
using ImpVpn.TestSupport;

namespace ImpVpn.Bench;

/// <summary>A real ImpVpn seller and buyer across a namespace pair: the seller (node "bob" on the LND simulator,
/// wireguard-go in namespace B) and the buyer (node "alice", namespace A), cores in this process, a channel between
/// the nodes. What the real-tunnel benchmarks that buy share; disposing it stops both and deletes what they made.</summary>
internal sealed class SimulatedMarket : IAsyncDisposable
{
    private readonly string _folder;
    private readonly Simulation _simulation;

    private SimulatedMarket(string folder, Simulation simulation, TimedLightningNode buyerNode, TimedLightningNode sellerNode, WireGuardHost buyerWireGuard, WireGuardHost sellerWireGuard, string sellerInterface)
    {
        _folder = folder;
        _simulation = simulation;
        BuyerNode = buyerNode;
        SellerNode = sellerNode;
        BuyerWireGuard = buyerWireGuard;
        SellerWireGuard = sellerWireGuard;
        SellerInterface = sellerInterface;
    }

    public TimedLightningNode BuyerNode { get; }

    public TimedLightningNode SellerNode { get; }

    public WireGuardHost BuyerWireGuard { get; }

    public WireGuardHost SellerWireGuard { get; }

    public string SellerInterface { get; }

    public VpnSeller? Seller { get; private set; }

    public Buyer? Buyer { get; private set; }

    /// <param name="allowedPorts">TCP ports buyers may reach on the seller's tunnel address (its firewall), or null for the seller's default.</param>
    /// <param name="buyerLog">what the buyer reports (a phase clock), or null.</param>
    public static async Task<SimulatedMarket> StartAsync(NetworkNamespacePair pair, string sellerInterface, IpPrefix subnet, IReadOnlyList<int>? allowedPorts = null, IProgressLog? buyerLog = null)
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-bench-").FullName;
        var none = CancellationToken.None;
        Simulation? simulation = null;
        SimulatedMarket? market = null;
        try
        {
            simulation = await Simulation.StartAsync(new SimulationOptions
            {
                BaseDirectory = Path.Combine(folder, "lnd"),
                Nodes = [new SimNodeSpec("alice"), new SimNodeSpec("bob")],
            }, none);
            await simulation.OpenChannelAsync("alice", "bob", 10_000_000);
            LndConnectionOptions Options(SimNode n) => LndConnectionOptions.FromFiles(n.RpcAddress, n.TlsCertPath, n.MacaroonPath, "regtest");
            var bob = new TimedLightningNode(await LndNode.ConnectAsync(Options(simulation["bob"]), true, none));
            var alice = new TimedLightningNode(await LndNode.ConnectAsync(Options(simulation["alice"]), true, none));
            market = new SimulatedMarket(folder, simulation, alice, bob,
                WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false),
                WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false),
                sellerInterface);
            var sellerOptions = new SellerOptions
            {
                InterfaceName = sellerInterface,
                Endpoint = pair.UnderlayB + ":51820",
                Subnet = subnet,
            };
            market.Seller = new VpnSeller(bob, market.SellerWireGuard, new ContractStore(Path.Combine(folder, "seller")),
                allowedPorts is null ? sellerOptions : sellerOptions with { AllowedPorts = allowedPorts });
            await market.Seller.StartAsync(none);
            market.Buyer = new Buyer(alice, new BoughtContracts(new ContractStore(Path.Combine(folder, "buyer"))), market.BuyerWireGuard, buyerLog);
            return market;
        }
        catch
        {
            if (market is not null)
            {
                await market.DisposeAsync();
            }
            else
            {
                if (simulation is not null)
                {
                    await simulation.DisposeAsync();
                }

                Directory.Delete(folder, true);
            }

            throw;
        }
    }

    /// <summary>Request-VpnQuote and Confirm-VpnContract, as the cmdlets do: a real purchase, the buyer's interface up
    /// and proved (handshake, echo) when it returns.</summary>
    public async Task<BoughtContract> BuyAsync(CancellationToken cancellationToken)
    {
        var buyer = Buyer ?? throw new InvalidOperationException("The market is not started.");
        var quote = await buyer.Quotes.RequestAsync(new SellerNode(_simulation["bob"].PubKey, null), TimeSpan.FromHours(1), TimeSpan.FromSeconds(30), cancellationToken);
        return await buyer.Purchase.ConfirmAsync(quote, new BuyerOptions { MaxPriceSat = 2000 }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        var none = CancellationToken.None;
        try
        {
            if (Buyer is not null)
            {
                await Buyer.DisposeAsync();
            }

            if (Seller is not null)
            {
                await Seller.DisposeAsync();
            }

            // A stopped seller leaves its interface (fail closed); the benchmark's is taken down here.
            await SellerWireGuard.Links.DeleteInterfaceAsync(SellerInterface, none);
        }
        finally
        {
            await BuyerNode.DisposeAsync();
            await SellerNode.DisposeAsync();
            await _simulation.DisposeAsync();
            Directory.Delete(_folder, true);
        }
    }
}
