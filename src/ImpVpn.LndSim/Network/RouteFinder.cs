namespace ImpVpn.LndSim.Network;

/// <summary>One hop of a route: the HTLC sent over <see cref="Channel"/> from <see cref="From"/> to
/// <see cref="To"/>. <see cref="AmountMsat"/> is what that HTLC carries; <see cref="ForwardMsat"/> what
/// <see cref="To"/> passes on (or receives, on the last hop), the difference being its fee. <see cref="Expiry"/>
/// is LND's Hop.expiry: the block height of the HTLC <see cref="To"/> sends on (for the last hop, the final one).</summary>
internal sealed record RouteHop(SimChannel Channel, string From, string To, string ToPubKey, long AmountMsat, long ForwardMsat, uint Expiry)
{
    public long FeeMsat => AmountMsat - ForwardMsat;
}

/// <summary>A route and what it costs: total fee, and the absolute time lock of the first HTLC.</summary>
internal sealed record FoundRoute(IReadOnlyList<RouteHop> Hops, long FeeMsat, uint TotalTimeLock)
{
    public long TotalAmountMsat => Hops[0].AmountMsat;

    public long ReceivedMsat => Hops[^1].ForwardMsat;
}

/// <summary>A hop of an invoice's route hint, resolved to simulated nodes: <see cref="From"/> may forward over
/// channel <see cref="ChannelId"/> (private or not) with this policy.</summary>
internal sealed record HintHop(string From, ulong ChannelId, FeePolicy Policy);

/// <summary>What to find a route for. <see cref="CltvLimit"/> bounds the route's time lock above the current height
/// (LND's cltv_limit); <see cref="FinalCltvDelta"/> is the payee's min_final_cltv_expiry, plus any padding.</summary>
internal sealed record RouteQuery(
    string From, string To, long AmountMsat, uint FinalCltvDelta, uint CltvLimit, long FeeLimitMsat, IReadOnlyList<HintHop> Hints);

/// <summary>
/// Finds the cheapest route over channels with enough spendable balance (above the reserve), trying every simple
/// path of up to <see cref="MaxHops"/> hops (the simulated networks are small). Forwarding nodes charge their
/// outgoing channel's policy and add its CLTV delta. A route over the fee limit or the CLTV limit is not used.
/// Private channels are used only by their own ends as a first hop, or where a route hint names them.
/// </summary>
internal static class RouteFinder
{
    public const int MaxHops = 6;

    /// <summary>LND's default max total time lock (cltv_limit 0 means this).</summary>
    public const uint MaxTotalTimelock = 2016;

    public static FoundRoute? Find(
        IReadOnlyList<SimChannel> channels, Func<string, SimNodeState> node, uint blockHeight, RouteQuery query)
    {
        if (query.From == query.To)
        {
            return null;
        }

        FoundRoute? best = null;
        var path = new List<(SimChannel Channel, string From)>();
        var visited = new HashSet<string> { query.From };
        var hints = query.Hints.ToDictionary(h => h.ChannelId);

        bool Usable(SimChannel channel, string from) =>
            !channel.IsPrivate || from == query.From || (hints.TryGetValue(channel.Id, out var hint) && hint.From == from);

        FeePolicy PolicyOf(SimChannel channel, string from) =>
            hints.TryGetValue(channel.Id, out var hint) && hint.From == from ? hint.Policy : channel.PolicyOf(from);

        void Walk(string at)
        {
            if (at == query.To)
            {
                var route = Price(path, node, blockHeight, query, PolicyOf);
                if (route is not null && (best is null || Better(route, best)))
                {
                    best = route;
                }

                return;
            }

            if (path.Count == MaxHops)
            {
                return;
            }

            foreach (var channel in channels.Where(c => c.Involves(at)))
            {
                var next = channel.Other(at);
                if (visited.Contains(next) || node(next).IsDown || !Usable(channel, at))
                {
                    continue;
                }

                visited.Add(next);
                path.Add((channel, at));
                Walk(next);
                path.RemoveAt(path.Count - 1);
                visited.Remove(next);
            }
        }

        Walk(query.From);
        return best;
    }

    private static bool Better(FoundRoute candidate, FoundRoute best) =>
        candidate.FeeMsat != best.FeeMsat ? candidate.FeeMsat < best.FeeMsat
        : candidate.Hops.Count != best.Hops.Count ? candidate.Hops.Count < best.Hops.Count
        : candidate.TotalTimeLock < best.TotalTimeLock;

    /// <summary>Walks the path backwards from the payee: each forwarding node adds its fee to the amount and its
    /// CLTV delta to the expiry of the HTLC it receives.</summary>
    private static FoundRoute? Price(
        List<(SimChannel Channel, string From)> path, Func<string, SimNodeState> node, uint blockHeight, RouteQuery query,
        Func<SimChannel, string, FeePolicy> policyOf)
    {
        var hops = new RouteHop[path.Count];
        var amount = query.AmountMsat;
        var htlcExpiry = blockHeight + query.FinalCltvDelta;
        for (var i = path.Count - 1; i >= 0; i--)
        {
            var (channel, from) = path[i];
            var to = channel.Other(from);
            var forward = amount;
            var hopExpiry = htlcExpiry;
            if (i < path.Count - 1)
            {
                // 'to' forwards over the next channel and charges that channel's policy for it.
                var policy = policyOf(path[i + 1].Channel, to);
                amount += policy.FeeFor(forward);
                htlcExpiry += policy.TimeLockDelta;
            }

            if (channel.SpendableMsat(from) < amount)
            {
                return null;
            }

            hops[i] = new RouteHop(channel, from, to, node(to).PubKey, amount, forward, hopExpiry);
        }

        var route = new FoundRoute(hops, amount - query.AmountMsat, htlcExpiry);
        var cltvLimit = query.CltvLimit == 0 ? MaxTotalTimelock : query.CltvLimit;
        return route.FeeMsat > query.FeeLimitMsat || htlcExpiry - blockHeight > cltvLimit ? null : route;
    }
}
