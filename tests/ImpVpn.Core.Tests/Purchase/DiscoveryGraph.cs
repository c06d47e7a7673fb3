using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.LndSim.Hosting;
using ImpVpn.LndSim.Network;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>
/// A simulated graph of 20 nodes for discovery: n00 is the buyer; the nodes form a ring of public channels, so each is
/// in everyone's graph; gossip is shortened (not instant) so a test waits for announcements instead of 90 s.
/// Sellers are real <see cref="VpnSeller"/>s (config-only, over a recording WireGuard) where their offer can be
/// sold here, and offer responders (<see cref="StartResponderAsync"/>) where a real one would need a real exit or
/// port forward: discovery only reads the offer.
/// </summary>
internal sealed class DiscoveryGraph : IAsyncDisposable
{
    public const int Size = 20;

    private readonly string _folder;
    private readonly List<IAsyncDisposable> _owned = [];

    private DiscoveryGraph(string folder, Simulation simulation, LndNode buyer)
    {
        _folder = folder;
        Simulation = simulation;
        BuyerNode = buyer;
    }

    public Simulation Simulation { get; }

    public LndNode BuyerNode { get; }

    public static string Name(int i) => $"n{i:00}";

    /// <summary>The name of private node <paramref name="j"/>: no channel, so in no graph.</summary>
    public static string PrivateName(int j) => $"p{j:00}";

    /// <summary>A store of the buyer's, in the graph's folder (removed with it).</summary>
    public BoughtContracts BuyerContracts() => new(new ContractStore(Path.Combine(_folder, "buyer-" + Guid.NewGuid().ToString("N"))));

    public string PubKey(int i) => Simulation[Name(i)].PubKey;

    /// <summary>The ring, and <paramref name="privateNodes"/> nodes without channels (p00, p01…).</summary>
    public static async Task<DiscoveryGraph> StartAsync(int privateNodes = 0)
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-discovery-").FullName;
        var simulation = await Simulation.StartAsync(new SimulationOptions
        {
            BaseDirectory = Path.Combine(folder, "lnd"),
            Nodes = Enumerable.Range(0, Size).Select(i => new SimNodeSpec(Name(i))).Concat(Enumerable.Range(0, privateNodes).Select(j => new SimNodeSpec(PrivateName(j)))).ToList(),
            GossipDelay = TimeSpan.FromMilliseconds(300),
        }, CancellationToken.None);
        for (var i = 0; i < Size; i++)
        {
            await simulation.OpenChannelAsync(Name(i), Name((i + 1) % Size), 1_000_000);
        }

        var buyer = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(simulation[Name(0)]), true, CancellationToken.None);
        return new DiscoveryGraph(folder, simulation, buyer);
    }

    /// <summary>A real seller on node <paramref name="i"/>, config-only.</summary>
    public async Task<VpnSeller> StartSellerAsync(int i, SellerOptions options)
    {
        var node = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(Simulation[Name(i)]), true, CancellationToken.None);
        _owned.Add(node);
        var seller = new VpnSeller(node, new RecordingWireGuard(), new ContractStore(Path.Combine(_folder, $"seller-{i}")), options);
        _owned.Insert(0, seller);
        await seller.StartAsync(CancellationToken.None);
        return seller;
    }

    /// <summary>Node <paramref name="i"/> advertises the seller bit (unless <paramref name="advertise"/> is false)
    /// and answers impvpn.v1.offer with what <paramref name="answer"/> returns (which may wait, or answer nonsense).</summary>
    public Task StartResponderAsync(int i, Func<CancellationToken, Task<object>> answer, bool advertise = true) =>
        StartResponderAsync(Name(i), answer, advertise);

    /// <summary>Private node <paramref name="j"/> answers offers and the buyer connects to it (a peer in no graph).</summary>
    public async Task StartPrivatePeerAsync(int j, Func<CancellationToken, Task<object>> answer)
    {
        await StartResponderAsync(PrivateName(j), answer, advertise: false);
        var node = Simulation[PrivateName(j)];
        await BuyerNode.ConnectPeerAsync(node.PubKey, node.P2pAddress, CancellationToken.None);
    }

    private async Task StartResponderAsync(string name, Func<CancellationToken, Task<object>> answer, bool advertise)
    {
        var node = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(Simulation[name]), true, CancellationToken.None);
        _owned.Add(node);
        var endpoint = new PeerRpcEndpoint(node);
        _owned.Insert(0, endpoint);
        endpoint.Handle(PeerProtocol.Offer, (_, _, ct) => answer(ct));
        endpoint.Start();
        if (advertise)
        {
            await node.SetAnnouncedFeatureAsync(PeerProtocol.SellerFeatureBit, advertise: true, CancellationToken.None);
        }
    }

    public static OfferResponse Offer(string[] modes, string[] families, long pricePerHourSat, string? region) =>
        new(modes, families, pricePerHourSat, 600, 30 * 24 * 3600, 10, [1, 2], region);

    /// <summary>Waits until the buyer's graph shows the seller bit on exactly these nodes (gossip takes its time).</summary>
    public async Task GossipReachedBuyerAsync(IEnumerable<int> advertisers)
    {
        var expected = advertisers.Select(PubKey).Order(StringComparer.Ordinal).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var seen = (await BuyerNode.ListGraphNodesAsync(CancellationToken.None))
                .Where(n => n.FeatureBits.Contains(PeerProtocol.SellerFeatureBit)).Select(n => n.PubKey).Order(StringComparer.Ordinal).ToList();
            if (seen.SequenceEqual(expected))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The buyer's graph shows {seen.Count} advertising node(s), not the {expected.Count} expected, after 30 s.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await BuyerNode.DisposeAsync();
        await Simulation.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
