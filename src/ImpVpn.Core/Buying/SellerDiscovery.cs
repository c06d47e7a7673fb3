using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>How a discovery asks: how many sellers at once, and how long one seller may take (connecting and
/// answering) before it is left out.</summary>
public sealed record DiscoveryOptions(int MaxConcurrency, TimeSpan PerSellerTimeout, bool AskPeers = true)
{
    public static DiscoveryOptions Default { get; } = new(8, TimeSpan.FromSeconds(10));
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
/// <see cref="PeerProtocol.SellerFeatureBit"/>, and this node's connected peers (a seller without public channels is
/// in no graph; one just started may not be there yet, as gossip takes time). Each is asked for its offer
/// (<see cref="SellerOffers"/>), at most <see cref="DiscoveryOptions.MaxConcurrency"/> at a time, each within
/// <see cref="DiscoveryOptions.PerSellerTimeout"/>. A candidate that cannot be reached, does not answer in time or
/// answers what <see cref="OfferCheck"/> refuses is left out with a line in the log, never failing the rest: a
/// candidate from the graph (it said it sells) with a warning, a peer that merely is not a seller with a verbose line.
/// The bit is a hint, never trusted: only a checked offer makes a seller.
/// </summary>
public sealed class SellerDiscovery(ILightningNode node, SellerOffers offers, IProgressLog log)
{
    public async Task<IReadOnlyList<DiscoveredOffer>> FindAsync(OfferFilter filter, DiscoveryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PerSellerTimeout, TimeSpan.Zero);

        var candidates = await CandidatesAsync(options, cancellationToken).ConfigureAwait(false);
        log.Log(LogLevel.Verbose, $"Asking {candidates.Count} node(s) for their offers: {candidates.Count(c => c.Source.HasFlag(DiscoverySource.Graph))} advertise selling in the graph, {candidates.Count(c => c.Source.HasFlag(DiscoverySource.Peer))} are peers.");

        var found = new List<DiscoveredOffer>();
        using var gate = new SemaphoreSlim(options.MaxConcurrency);
        var asks = candidates.Select(async candidate =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await AskAsync(candidate, options.PerSellerTimeout, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();

        foreach (var offer in await Task.WhenAll(asks).ConfigureAwait(false))
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

    private async Task<List<Candidate>> CandidatesAsync(DiscoveryOptions options, CancellationToken cancellationToken)
    {
        var self = (await node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        var graph = await node.ListGraphNodesAsync(cancellationToken).ConfigureAwait(false);
        var byKey = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        foreach (var graphNode in graph.Where(n => n.FeatureBits.Contains(PeerProtocol.SellerFeatureBit) && n.PubKey != self))
        {
            byKey[graphNode.PubKey] = new Candidate(graphNode.PubKey, graphNode.Alias, DiscoverySource.Graph);
        }

        if (options.AskPeers)
        {
            var aliases = graph.ToDictionary(n => n.PubKey, n => n.Alias, StringComparer.Ordinal);
            foreach (var peer in await node.ListPeersAsync(cancellationToken).ConfigureAwait(false))
            {
                byKey[peer.PubKey] = byKey.TryGetValue(peer.PubKey, out var known)
                    ? known with { Source = known.Source | DiscoverySource.Peer }
                    : new Candidate(peer.PubKey, aliases.GetValueOrDefault(peer.PubKey), DiscoverySource.Peer);
            }
        }

        return byKey.Values.OrderBy(c => c.PubKey, StringComparer.Ordinal).ToList();
    }

    private async Task<DiscoveredOffer?> AskAsync(Candidate candidate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        var advertised = candidate.Source.HasFlag(DiscoverySource.Graph);
        try
        {
            var offer = await offers.RequestAsync(new SellerNode(candidate.PubKey, null), timeout, bounded.Token).ConfigureAwait(false);
            return new DiscoveredOffer(offer, NullIfEmpty(candidate.Alias), candidate.Source);
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

        return null;
    }

    private void Drop(bool advertised, string line) => log.Log(advertised ? LogLevel.Warning : LogLevel.Verbose, line);

    private static string Name(string pubKey, string? alias) =>
        string.IsNullOrEmpty(alias) ? NodePubKey.Abbreviate(pubKey) : $"{SellerAnswerCheck.Printable(alias)} ({NodePubKey.Abbreviate(pubKey)})";

    // An alias is the node's own text: no control characters reach a terminal from it.
    private static string? NullIfEmpty(string? text) =>
        string.IsNullOrEmpty(text) ? null : new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private sealed record Candidate(string PubKey, string? Alias, DiscoverySource Source);
}
