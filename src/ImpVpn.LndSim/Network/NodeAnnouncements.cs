namespace ImpVpn.LndSim.Network;

/// <summary>
/// Node announcements and their gossip. Each node keeps the versions it has signed; another node sees the newest
/// version that has had <see cref="GossipDelay"/> to reach it. LND batches gossip and broadcasts each batch every
/// <c>trickledelay</c> (90 s by default), so a new announcement takes up to that long per hop: the default here is
/// that batch interval, and tests that wait on gossip set a shorter one and wait on the condition, never on time.
/// The announcements a simulation starts with are known everywhere from the start (a synced graph).
/// </summary>
public sealed partial class SimNetwork
{
    /// <summary>LND's default trickledelay (lncfg: 90000 ms), the interval at which it broadcasts gossip.</summary>
    public static readonly TimeSpan DefaultGossipDelay = TimeSpan.FromSeconds(90);

    /// <summary>How long a new announcement takes to reach the other nodes' graphs.</summary>
    public TimeSpan GossipDelay { get; set; } = DefaultGossipDelay;

    /// <summary>The node's own, newest announcement (what it signed last).</summary>
    public NodeAnnouncement OwnAnnouncement(SimNodeState node)
    {
        lock (_gate)
        {
            return node.Announcements[^1];
        }
    }

    /// <summary>The announcement of <paramref name="node"/> as <paramref name="observer"/>'s graph holds it now.</summary>
    public NodeAnnouncement AnnouncementSeenBy(SimNodeState node, SimNodeState observer)
    {
        lock (_gate)
        {
            if (ReferenceEquals(node, observer))
            {
                return node.Announcements[^1];
            }

            var now = DateTimeOffset.UtcNow;
            for (var i = node.Announcements.Count - 1; i > 0; i--)
            {
                if (node.Announcements[i].PublishedAt + GossipDelay <= now)
                {
                    return node.Announcements[i];
                }
            }

            return node.Announcements[0];
        }
    }

    /// <summary>Signs and sends a new version of the node's announcement. Versions every node already sees are
    /// dropped, so the history stays as short as the gossip in flight.</summary>
    public NodeAnnouncement Announce(SimNodeState node, Func<NodeAnnouncement, NodeAnnouncement> change)
    {
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            // LND's announcements carry a timestamp in seconds that must grow for peers to take a new one.
            var last = node.Announcements[^1];
            var timestamp = DateTimeOffset.FromUnixTimeSeconds(Math.Max(now.ToUnixTimeSeconds(), last.Timestamp.ToUnixTimeSeconds() + 1));
            var next = change(last) with { Timestamp = timestamp, PublishedAt = now };
            node.Announcements.Add(next);
            var seenEverywhere = node.Announcements.FindLastIndex(a => a.PublishedAt + GossipDelay <= now);
            if (seenEverywhere > 0)
            {
                node.Announcements.RemoveRange(0, seenEverywhere);
            }

            return next;
        }
    }

    /// <summary>The announcement a node starts with: its name as alias, LND's default colour, its p2p address and
    /// the node-announcement features of a default LND.</summary>
    internal static NodeAnnouncement FirstAnnouncement(string name, string p2pAddress) => new(
        name,
        NodeAnnouncement.DefaultColor,
        [p2pAddress],
        LndFeatureNames.DefaultNodeAnnouncement,
        DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
        DateTimeOffset.MinValue);
}
