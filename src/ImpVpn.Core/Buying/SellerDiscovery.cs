using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>How a discovery asks: how many sellers at once, how long one seller may take (connecting and
/// answering) before it is left out, how many nodes are asked at most, and how long the whole discovery may take
/// (reading the graph included). A graph can hold tens of thousands of nodes and anyone can set the bit: without
/// the two bounds a discovery would have no end.</summary>
public sealed record DiscoveryOptions(int MaxConcurrency, TimeSpan PerSellerTimeout, bool AskPeers = true, int MaxCandidates = DiscoveryOptions.DefaultMaxCandidates, TimeSpan? TotalTimeout = null)
{
    public const int DefaultMaxCandidates = 100;

    /// <summary>The longest one seller may take: a bound that keeps a typo (hours for seconds) from holding a slot
    /// for hours.</summary>
    public static readonly TimeSpan MaxPerSellerTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How long the whole discovery may take when <see cref="TotalTimeout"/> is not given: enough for
    /// <see cref="DefaultMaxCandidates"/> silent nodes at 8 at a time and 10 s each, and the graph.</summary>
    public static readonly TimeSpan DefaultTotalTimeout = TimeSpan.FromMinutes(3);

    public static DiscoveryOptions Default { get; } = new(8, TimeSpan.FromSeconds(10));

    /// <summary>The bound on the whole discovery: <see cref="TotalTimeout"/>, or <see cref="DefaultTotalTimeout"/>
    /// but never shorter than one seller's timeout.</summary>
    public TimeSpan Total => TotalTimeout ?? (DefaultTotalTimeout > PerSellerTimeout ? DefaultTotalTimeout : PerSellerTimeout);
}

/// <summary>Where a candidate came from: the graph (its announcement carries <see cref="PeerProtocol.SellerFeatureBit"/>),
/// this node's peers, or both.</summary>
[Flags]
public enum DiscoverySource
{
    None = 0,
    Graph = 1,
    Peer = 2,
}

/// <summary>An offer found, with what the graph says of its node.</summary>
public sealed record DiscoveredOffer(SellerOffer Offer, string? Alias, DiscoverySource Source);

/// <summary>
/// Finds sellers and what they sell: the candidates are the nodes whose announcement in this node's graph carries
/// <see cref="PeerProtocol.SellerFeatureBit"/>, and this node's connected peers that are in no graph (a seller without
/// public channels is in none; one just started may not be there yet, as gossip takes time). A peer in the graph
/// without the bit is not asked: its announcement says it does not sell, and a plain LND never answers, holding a
/// slot for the whole timeout. Peers are asked first; beyond them, at most <see cref="DiscoveryOptions.MaxCandidates"/>
/// in all, graph advertisers chosen at random (never by key order: keys can be ground to sort first, and anyone can
/// set the bit). Each is asked for its offer (<see cref="SellerOffers"/>), at most
/// <see cref="DiscoveryOptions.MaxConcurrency"/> at a time, each within <see cref="DiscoveryOptions.PerSellerTimeout"/>,
/// and the whole discovery within <see cref="DiscoveryOptions.Total"/>: what answered by then is returned. A candidate
/// that cannot be reached, does not answer in time or answers what <see cref="OfferCheck"/> refuses is left out with
/// a line in the log, never failing the rest: a candidate from the graph (it said it sells) with a warning, a private
/// peer that merely is not a seller with a verbose line. The bit is a hint, never trusted: only a checked offer makes
/// a seller.
/// </summary>
public sealed class SellerDiscovery(ILightningNode node, SellerOffers offers, IProgressLog log)
{
    public async Task<IReadOnlyList<DiscoveredOffer>> FindAsync(OfferFilter filter, DiscoveryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxCandidates, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PerSellerTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PerSellerTimeout, DiscoveryOptions.MaxPerSellerTimeout);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Total, TimeSpan.Zero);

        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(options.Total);
        Candidates candidates;
        try
        {
            candidates = await CandidatesAsync(options, overall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The node did not give its identity, graph and peers within {options.Total.TotalSeconds:0.#} s: no seller was asked.");
        }

        var asked = candidates.Asked;
        log.Log(LogLevel.Verbose, $"Asking {asked.Count} node(s) for their offers: {asked.Count(c => c.Source.HasFlag(DiscoverySource.Graph))} advertise selling in the graph, {asked.Count(c => c.Source.HasFlag(DiscoverySource.Peer))} are peers.");

        var found = new List<DiscoveredOffer>();
        var unheard = 0;
        using var gate = new SemaphoreSlim(options.MaxConcurrency);
        var asks = asked.Select(async candidate =>
        {
            try
            {
                await gate.WaitAsync(overall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref unheard);
                return null;
            }

            try
            {
                var connected = candidates.Connected.Contains(candidate.PubKey);
                var (offer, cutShort) = await AskAsync(candidate, options.PerSellerTimeout, connected, overall.Token, cancellationToken).ConfigureAwait(false);
                if (cutShort)
                {
                    Interlocked.Increment(ref unheard);
                }

                return offer;
            }
            finally
            {
                gate.Release();
            }
        }).ToList();

        var answers = await Task.WhenAll(asks).ConfigureAwait(false);
        if (unheard > 0)
        {
            log.Log(LogLevel.Warning, $"The discovery's bound of {options.Total.TotalSeconds:0.#} s passed before {unheard} of {asked.Count} node(s) answered; they are left out.");
        }

        foreach (var offer in answers)
        {
            if (offer is null)
            {
                continue;
            }

            if (filter.Matches(offer.Offer))
            {
                found.Add(offer);
            }
            else
            {
                log.Log(LogLevel.Verbose, $"{Name(offer.Offer.SellerPubKey, offer.Alias)} sells, but not what was asked for.");
            }
        }

        return found.OrderBy(o => o.Offer.PricePerHourSat).ThenBy(o => o.Offer.SellerPubKey, StringComparer.Ordinal).ToList();
    }

    private async Task<Candidates> CandidatesAsync(DiscoveryOptions options, CancellationToken cancellationToken)
    {
        var self = (await node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        var graph = await node.ListGraphNodesAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot of the peers for the whole discovery: each ask skips connecting to a peer already connected
        // (one that dropped since is connected again by the link when its call is refused).
        var peers = await node.ListPeersAsync(cancellationToken).ConfigureAwait(false);
        var connected = peers.Select(p => p.PubKey).ToHashSet(StringComparer.Ordinal);

        var aliases = new Dictionary<string, string?>(StringComparer.Ordinal);
        var advertisers = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        foreach (var graphNode in graph)
        {
            aliases[graphNode.PubKey] = graphNode.Alias;
            if (graphNode.FeatureBits.Contains(PeerProtocol.SellerFeatureBit) && graphNode.PubKey != self)
            {
                advertisers[graphNode.PubKey] = new Candidate(graphNode.PubKey, graphNode.Alias, DiscoverySource.Graph);
            }
        }

        var fromPeers = new List<Candidate>();
        if (options.AskPeers)
        {
            var plain = 0;
            foreach (var peer in connected.Where(k => k != self))
            {
                if (advertisers.Remove(peer, out var advertiser))
                {
                    fromPeers.Add(advertiser with { Source = DiscoverySource.Graph | DiscoverySource.Peer });
                }
                else if (!aliases.ContainsKey(peer))
                {
                    fromPeers.Add(new Candidate(peer, null, DiscoverySource.Peer));
                }
                else
                {
                    plain++;
                }
            }

            if (plain > 0)
            {
                log.Log(LogLevel.Verbose, $"{plain} peer(s) in the graph without the seller bit not asked: their announcement says they do not sell.");
            }
        }

        // Random, never by key: a node could grind its key to sort first and crowd out every other advertiser.
        var asked = Sample(fromPeers, options.MaxCandidates);
        var others = Sample(advertisers.Values.ToList(), options.MaxCandidates - asked.Count);
        var leftOut = fromPeers.Count + advertisers.Count - asked.Count - others.Count;
        if (leftOut > 0)
        {
            log.Log(LogLevel.Verbose, $"{leftOut} advertiser(s) left out: at most {options.MaxCandidates} nodes are asked, peers first, the rest chosen at random.");
        }

        return new Candidates([.. asked, .. others], connected);
    }

    private static List<Candidate> Sample(List<Candidate> from, int count)
    {
        if (count <= 0)
        {
            return [];
        }

        var shuffled = from.ToArray();
        Random.Shared.Shuffle(shuffled);
        return shuffled.Take(count).ToList();
    }

    private async Task<(DiscoveredOffer? Offer, bool CutShort)> AskAsync(Candidate candidate, TimeSpan timeout, bool connected, CancellationToken overall, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(overall);
        bounded.CancelAfter(timeout);
        var advertised = candidate.Source.HasFlag(DiscoverySource.Graph);
        try
        {
            var offer = await offers.RequestAsync(new SellerNode(candidate.PubKey, null), timeout, connected, bounded.Token).ConfigureAwait(false);
            return (new DiscoveredOffer(offer, DisplayAlias(candidate.Alias), candidate.Source), false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && overall.IsCancellationRequested)
        {
            // Counted, and told once for all.
            return (null, true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Drop(advertised, $"{Name(candidate.PubKey, candidate.Alias)} did not answer within {timeout.TotalSeconds:0.#} s; left out.");
        }
        catch (PurchaseException e) when (e.Error == PurchaseError.SellerAnswerRefused)
        {
            // A malformed offer is worth a warning whatever the source: the node answers, wrongly.
            log.Log(LogLevel.Warning, $"{Name(candidate.PubKey, candidate.Alias)} answered an offer that cannot be used; left out: {e.Message}");
        }
        catch (Exception e) when (e is PurchaseException or LightningException)
        {
            Drop(advertised, $"{Name(candidate.PubKey, candidate.Alias)} gave no offer; left out: {e.Message}");
        }

        return (null, false);
    }

    private void Drop(bool advertised, string line) => log.Log(advertised ? LogLevel.Warning : LogLevel.Verbose, line);

    private static string Name(string pubKey, string? alias) =>
        DisplayAlias(alias) is { } shown ? $"'{shown}' ({NodePubKey.Abbreviate(pubKey)})" : NodePubKey.Abbreviate(pubKey);

    // An alias is the node's own text: nothing in it may steer a terminal or disguise the line around it.
    private static string? DisplayAlias(string? alias) => string.IsNullOrEmpty(alias) ? null : UntrustedText.Alias(alias);

    private sealed record Candidate(string PubKey, string? Alias, DiscoverySource Source);

    private sealed record Candidates(IReadOnlyList<Candidate> Asked, IReadOnlySet<string> Connected);
}
