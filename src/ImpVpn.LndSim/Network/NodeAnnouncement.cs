namespace ImpVpn.LndSim.Network;

/// <summary>One version of a node's announcement (BOLT 7 node_announcement): alias, colour, addresses and the
/// node-announcement feature bits, with when the node signed it and when it started travelling. Other nodes see a
/// version only once it has had time to cross the gossip network (<see cref="SimNetwork.GossipDelay"/>); the node
/// itself sees its own at once, as LND writes its source node before it broadcasts.</summary>
public sealed record NodeAnnouncement(
    string Alias,
    string Color,
    IReadOnlyList<string> Addresses,
    IReadOnlySet<uint> Features,
    DateTimeOffset Timestamp,
    DateTimeOffset PublishedAt)
{
    /// <summary>LND's default node colour (lncfg: color = #3399ff).</summary>
    public const string DefaultColor = "#3399ff";
}
