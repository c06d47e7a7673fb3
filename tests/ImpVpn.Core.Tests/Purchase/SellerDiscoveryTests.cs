using System.Diagnostics;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Selling;
using ImpVpn.Core.WireGuard.Types;
using Xunit.Abstractions;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>Finding sellers over a simulated graph of 20 nodes: the graph's advertisers and the buyer's peers are
/// asked for their offers in parallel, within a bound; the silent, the malformed and the mere peers are left out
/// with a line each, never failing the rest; filters choose among the offers.</summary>
public sealed class SellerDiscoveryTests(ITestOutputHelper output)
{
    private static readonly CancellationToken None = CancellationToken.None;

    // Node numbers in the ring: n00 buys; n01 and n19 are its channel peers (n01 a plain node, n19 a seller).
    private const int CheapIPv6 = 3, Frankfurt = 6, ExitEu = 9, PortForwardAsia = 12, ExitV6 = 19, Silent = 15, Malformed = 17;

    private static readonly DiscoveryOptions Quick = new(4, TimeSpan.FromSeconds(2));

    [Fact]
    public async Task Five_sellers_are_found_among_twenty_nodes_and_the_adversaries_left_out()
    {
        await using var graph = await FiveSellersAndTwoAdversariesAsync();
        var log = new RecordingLog();
        await using var buyer = new Buyer(graph.BuyerNode, graph.BuyerContracts(), null, log);

        var clock = Stopwatch.StartNew();
        var found = await buyer.Discovery.FindAsync(OfferFilter.Any, Quick, None);
        clock.Stop();

        output.WriteLine($"Discovery over {DiscoveryGraph.Size} nodes (7 advertisers, 2 peers; {Quick.MaxConcurrency} at a time, {Quick.PerSellerTimeout.TotalSeconds} s each): {clock.Elapsed.TotalMilliseconds:0} ms; the slowest answer {found.Max(f => f.Offer.AnswerTime).TotalMilliseconds:0} ms (the silent nodes take the timeout)");
        Assert.Equal(
            new[] { CheapIPv6, PortForwardAsia, Frankfurt, ExitV6, ExitEu }.Select(graph.PubKey),
            found.Select(f => f.Offer.SellerPubKey));
        var cheap = found[0];
        Assert.Equal(DiscoveryGraph.Name(CheapIPv6), cheap.Alias);
        Assert.Equal([TunnelMode.NodeToNode], cheap.Offer.Modes);
        Assert.Equal([TunnelAddressFamily.IPv6], cheap.Offer.AddressFamilies);
        Assert.Equal(500, cheap.Offer.PricePerHourSat);
        Assert.Equal("us-east", cheap.Offer.Region);
        Assert.Equal(DiscoverySource.Graph, cheap.Source);
        Assert.True(cheap.Offer.AnswerTime > TimeSpan.Zero);
        var frankfurt = found.Single(f => f.Offer.SellerPubKey == graph.PubKey(Frankfurt));
        Assert.Equal((TimeSpan.FromMinutes(10), TimeSpan.FromDays(3), 4), (frankfurt.Offer.MinimumDuration, frankfurt.Offer.MaximumDuration, frankfurt.Offer.CapacityLeft));
        Assert.Equal(DiscoverySource.Graph | DiscoverySource.Peer, found.Single(f => f.Offer.SellerPubKey == graph.PubKey(ExitV6)).Source);
        // The adversaries said they sell: each is a warning naming it. The plain peer (in the graph, no bit) is not asked.
        Assert.Contains(log.Warnings, w => w.Contains(DiscoveryGraph.Name(Silent), StringComparison.Ordinal) && w.Contains("did not answer", StringComparison.Ordinal));
        Assert.Contains(log.Warnings, w => w.Contains(DiscoveryGraph.Name(Malformed), StringComparison.Ordinal) && w.Contains("cannot be used", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Warnings, w => w.Contains(DiscoveryGraph.Name(1), StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.Message.Contains(DiscoveryGraph.Name(1), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Filters_choose_by_mode_family_price_and_region()
    {
        await using var graph = await FiveSellersAndTwoAdversariesAsync();
        await using var buyer = new Buyer(graph.BuyerNode, graph.BuyerContracts(), null);

        async Task<IEnumerable<int>> Find(OfferFilter filter) =>
            (await buyer.Discovery.FindAsync(filter, Quick, None)).Select(f => Enumerable.Range(0, DiscoveryGraph.Size).Single(i => graph.PubKey(i) == f.Offer.SellerPubKey));

        Assert.Equal([ExitV6, ExitEu], await Find(OfferFilter.Any with { Modes = [TunnelMode.Exit] }));
        Assert.Equal([PortForwardAsia, ExitV6, ExitEu], await Find(OfferFilter.Any with { Modes = [TunnelMode.Exit, TunnelMode.PortForward] }));
        Assert.Equal([CheapIPv6, ExitV6], await Find(OfferFilter.Any with { AddressFamilies = [TunnelAddressFamily.IPv6] }));
        Assert.Equal([CheapIPv6, PortForwardAsia], await Find(OfferFilter.Any with { MaxPricePerHourSat = 800 }));
        Assert.Equal([Frankfurt, ExitEu], await Find(OfferFilter.Any with { Regions = ["EU-WEST"] }));
        Assert.Equal([ExitEu], await Find(new OfferFilter([TunnelMode.Exit], [TunnelAddressFamily.IPv4], 5000, ["eu-west"])));
    }

    [Fact]
    public async Task Offers_are_asked_in_parallel_never_more_than_the_bound_at_once()
    {
        await using var graph = await DiscoveryGraph.StartAsync();
        var inFlight = 0;
        var most = 0;
        var advertisers = new[] { 2, 4, 6, 8, 10, 12 };
        foreach (var i in advertisers)
        {
            await graph.StartResponderAsync(i, async ct =>
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref most, now);
                await Task.Delay(400, ct);
                Interlocked.Decrement(ref inFlight);
                return DiscoveryGraph.Offer(["node-to-node"], ["ipv4"], 100 + i, null);
            });
        }

        await graph.GossipReachedBuyerAsync(advertisers);
        await using var buyer = new Buyer(graph.BuyerNode, graph.BuyerContracts(), null);

        var found = await buyer.Discovery.FindAsync(OfferFilter.Any, new DiscoveryOptions(2, TimeSpan.FromSeconds(10), AskPeers: false), None);

        Assert.Equal(6, found.Count);
        Assert.Equal(2, most);
    }

    [Fact]
    public async Task An_answer_of_the_wrong_shape_or_an_error_is_left_out_with_a_warning_and_the_rest_found()
    {
        await using var graph = await DiscoveryGraph.StartAsync();
        await graph.StartResponderAsync(2, _ => Task.FromResult<object>(new { modes = 5, price_per_hour_sat = "cheap" }));
        await graph.StartResponderAsync(4, _ => throw new ProtocolException(ProtocolErrorCode.InvalidParams, "no offers today"));
        await graph.StartResponderAsync(6, _ => Task.FromResult<object>(DiscoveryGraph.Offer(["node-to-node"], ["ipv4"], 1000, null)));
        await graph.GossipReachedBuyerAsync([2, 4, 6]);
        var log = new RecordingLog();
        await using var buyer = new Buyer(graph.BuyerNode, graph.BuyerContracts(), null, log);

        var found = await buyer.Discovery.FindAsync(OfferFilter.Any, new DiscoveryOptions(4, TimeSpan.FromSeconds(5), AskPeers: false), None);

        Assert.Equal(graph.PubKey(6), Assert.Single(found).Offer.SellerPubKey);
        Assert.Contains(log.Warnings, w => w.Contains(DiscoveryGraph.Name(2), StringComparison.Ordinal));
        Assert.Contains(log.Warnings, w => w.Contains(DiscoveryGraph.Name(4), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plain_peer_in_the_graph_is_not_asked_and_a_private_peer_is()
    {
        await using var graph = await DiscoveryGraph.StartAsync(privateNodes: 1);
        var plainAsked = 0;
        // n01 is a channel peer of the buyer, in the graph, without the bit: it would answer, but must not be asked.
        await graph.StartResponderAsync(1, _ =>
        {
            Interlocked.Increment(ref plainAsked);
            return Task.FromResult<object>(DiscoveryGraph.Offer(["node-to-node"], ["ipv4"], 100, null));
        }, advertise: false);
        await graph.StartPrivatePeerAsync(0, _ => Task.FromResult<object>(DiscoveryGraph.Offer(["exit"], ["ipv4"], 700, null)));
        await using var buyer = new Buyer(graph.BuyerNode, graph.BuyerContracts(), null);

        var found = await buyer.Discovery.FindAsync(OfferFilter.Any, Quick, None);

        var offer = Assert.Single(found);
        Assert.Equal(graph.Simulation[DiscoveryGraph.PrivateName(0)].PubKey, offer.Offer.SellerPubKey);
        Assert.Equal(DiscoverySource.Peer, offer.Source);
        Assert.Equal(0, plainAsked);
    }

    [Fact]
    public async Task At_most_the_bound_of_nodes_is_asked_peers_first_and_the_rest_told_once()
    {
        await using var graph = await DiscoveryGraph.StartAsync();
        var advertisers = new[] { 2, 4, 6, 8, 10, 19 };
        foreach (var i in advertisers)
        {
            await graph.StartResponderAsync(i, _ => Task.FromResult<object>(DiscoveryGraph.Offer(["node-to-node"], ["ipv4"], 100 + i, null)));
        }

        await graph.GossipReachedBuyerAsync(advertisers);
        var log = new RecordingLog();
        await using var buyer = new Buyer(graph.BuyerNode, graph.BuyerContracts(), null, log);

        var found = await buyer.Discovery.FindAsync(OfferFilter.Any, Quick with { MaxCandidates = 2 }, None);

        Assert.Equal(2, found.Count);
        // n19 is a peer: it is always among them.
        Assert.Contains(found, f => f.Offer.SellerPubKey == graph.PubKey(19) && f.Source == (DiscoverySource.Graph | DiscoverySource.Peer));
        Assert.Single(log.Lines, l => l.Message.Contains("4 advertiser(s) left out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Beyond_the_peers_the_advertisers_asked_are_chosen_at_random_not_by_key()
    {
        await using var graph = await DiscoveryGraph.StartAsync();
        var advertisers = new[] { 3, 5, 7, 9, 11 };
        foreach (var i in advertisers)
        {
            await graph.StartResponderAsync(i, _ => Task.FromResult<object>(DiscoveryGraph.Offer(["node-to-node"], ["ipv4"], 100, null)));
        }

        await graph.GossipReachedBuyerAsync(advertisers);
        await using var buyer = new Buyer(graph.BuyerNode, graph.BuyerContracts(), null);
        var one = new DiscoveryOptions(1, TimeSpan.FromSeconds(5), AskPeers: false, MaxCandidates: 1);

        var chosen = new HashSet<string>();
        // Twelve draws of one among five: all the same by chance has a probability of 5^-11.
        for (var draw = 0; draw < 12; draw++)
        {
            chosen.Add(Assert.Single(await buyer.Discovery.FindAsync(OfferFilter.Any, one, None)).Offer.SellerPubKey);
        }

        Assert.True(chosen.Count > 1, "The same advertiser was asked every time.");
    }

    [Fact]
    public async Task The_whole_discovery_ends_at_its_bound_with_what_answered_and_one_warning()
    {
        await using var graph = await DiscoveryGraph.StartAsync();
        await graph.StartResponderAsync(4, async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new object();
        });
        await graph.StartResponderAsync(6, _ => Task.FromResult<object>(DiscoveryGraph.Offer(["node-to-node"], ["ipv4"], 100, null)));
        await graph.GossipReachedBuyerAsync([4, 6]);
        var log = new RecordingLog();
        await using var buyer = new Buyer(graph.BuyerNode, graph.BuyerContracts(), null, log);

        var clock = Stopwatch.StartNew();
        var found = await buyer.Discovery.FindAsync(OfferFilter.Any, new DiscoveryOptions(4, TimeSpan.FromMinutes(4), AskPeers: false, TotalTimeout: TimeSpan.FromSeconds(3)), None);

        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"The discovery took {clock.Elapsed}.");
        Assert.Equal(graph.PubKey(6), Assert.Single(found).Offer.SellerPubKey);
        Assert.Single(log.Warnings, w => w.Contains("before 1 of 2 node(s) answered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Options_beyond_their_bounds_are_refused_before_the_node_is_asked()
    {
        // A node that answers nothing: the options are refused before it is asked anything.
        var node = new Fakes.FakeLightningNode("buyer");
        var log = new RecordingLog();
        await using var link = new SellerLink(node, log);
        var discovery = new SellerDiscovery(node, new SellerOffers(link, log), log);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => discovery.FindAsync(OfferFilter.Any, Quick with { PerSellerTimeout = DiscoveryOptions.MaxPerSellerTimeout + TimeSpan.FromSeconds(1) }, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => discovery.FindAsync(OfferFilter.Any, Quick with { MaxCandidates = 0 }, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => discovery.FindAsync(OfferFilter.Any, Quick with { TotalTimeout = TimeSpan.Zero }, None));
    }

    [Fact]
    public async Task A_seller_s_bit_is_in_the_graph_while_it_sells_and_gone_once_it_stops()
    {
        await using var graph = await DiscoveryGraph.StartAsync();
        var seller = await graph.StartSellerAsync(5, Options("ivs-adv", "10.71.0.0/24", 1000, "eu-west"));

        Assert.True(seller.Advertised);
        await graph.GossipReachedBuyerAsync([5]);

        await seller.StopAsync(None);

        Assert.False(seller.Advertised);
        await graph.GossipReachedBuyerAsync([]);
    }

    private static SellerOptions Options(string interfaceName, string subnet, long pricePerHourSat, string? region, TimeSpan? longest = null, int capacity = 50) => new()
    {
        InterfaceName = interfaceName,
        Endpoint = "192.0.2.1:51820",
        Subnet = IpPrefix.Parse(subnet),
        ConfigOnly = true,
        Pricing = new Pricing(pricePerHourSat, TimeSpan.FromMinutes(10), longest ?? TimeSpan.FromDays(30)),
        MaxActiveContracts = capacity,
        Region = region,
    };

    private static async Task<DiscoveryGraph> FiveSellersAndTwoAdversariesAsync()
    {
        var graph = await DiscoveryGraph.StartAsync();
        try
        {
            await graph.StartSellerAsync(CheapIPv6, Options("ivs-d3", "fd71::/120", 500, "us-east"));
            await graph.StartSellerAsync(Frankfurt, Options("ivs-d6", "10.72.0.0/24", 1500, "eu-west", TimeSpan.FromDays(3), capacity: 4));
            await graph.StartResponderAsync(ExitEu, _ => Task.FromResult<object>(DiscoveryGraph.Offer(["node-to-node", "exit"], ["ipv4"], 3000, "eu-west")));
            await graph.StartResponderAsync(PortForwardAsia, _ => Task.FromResult<object>(DiscoveryGraph.Offer(["port-forward"], ["ipv4"], 800, "ap-south")));
            await graph.StartResponderAsync(ExitV6, _ => Task.FromResult<object>(DiscoveryGraph.Offer(["exit"], ["ipv6"], 2000, null)));
            // Says it sells, never answers.
            await graph.StartResponderAsync(Silent, async ct =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return new object();
            });
            // Answers an offer spelt wrong (the mode's enum name, not its wire name).
            await graph.StartResponderAsync(Malformed, _ => Task.FromResult<object>(DiscoveryGraph.Offer(["Exit"], ["ipv4"], 10, null)));
            await graph.GossipReachedBuyerAsync([CheapIPv6, Frankfurt, ExitEu, PortForwardAsia, ExitV6, Silent, Malformed]);
            return graph;
        }
        catch
        {
            await graph.DisposeAsync();
            throw;
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
