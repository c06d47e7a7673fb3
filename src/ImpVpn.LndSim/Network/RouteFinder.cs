namespace ImpVpn.LndSim.Network;

/// <summary>A route and what it costs: the hops with the amount each carries, and the total fee.</summary>
internal sealed record FoundRoute(List<(SimChannel Channel, string From, long AmountMsat)> Hops, long FeeMsat);

/// <summary>Finds the cheapest route over channels with enough balance, trying every simple path of up to
/// five hops (the simulated networks are small). Intermediate nodes charge their outgoing channel's policy.</summary>
internal static class RouteFinder
{
    private const int MaxHops = 5;

    public static FoundRoute? Find(IReadOnlyList<SimChannel> channels, Func<string, bool> isUp, string from, string to, long amountMsat)
    {
        FoundRoute? best = null;
        var path = new List<(SimChannel Channel, string From)>();
        var visited = new HashSet<string> { from };

        void Walk(string node)
        {
            if (node == to)
            {
                var route = Price(path, amountMsat);
                if (route is not null && (best is null || route.FeeMsat < best.FeeMsat))
                {
                    best = route;
                }

                return;
            }

            if (path.Count == MaxHops)
            {
                return;
            }

            foreach (var channel in channels.Where(c => c.Involves(node)))
            {
                var next = channel.Other(node);
                if (visited.Contains(next) || !isUp(next))
                {
                    continue;
                }

                visited.Add(next);
                path.Add((channel, node));
                Walk(next);
                path.RemoveAt(path.Count - 1);
                visited.Remove(next);
            }
        }

        Walk(from);
        return best;
    }

    private static FoundRoute? Price(List<(SimChannel Channel, string From)> path, long amountMsat)
    {
        var hops = new List<(SimChannel Channel, string From, long AmountMsat)>();
        var amount = amountMsat;
        for (var i = path.Count - 1; i >= 0; i--)
        {
            var (channel, from) = path[i];
            if (channel.LocalMsat(from) < amount)
            {
                return null;
            }

            hops.Insert(0, (channel, from, amount));
            if (i > 0)
            {
                // The node sending this hop forwards it and charges its policy on this channel.
                amount += channel.PolicyOf(from).FeeFor(amount);
            }
        }

        return new FoundRoute(hops, amount - amountMsat);
    }
}
