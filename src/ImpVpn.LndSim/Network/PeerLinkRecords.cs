namespace ImpVpn.LndSim.Network;

/// <summary>Keeps each node's <see cref="PeerLink"/> records as links come up, go down and carry messages.
/// Called with the network's lock held.</summary>
public sealed partial class SimNetwork
{
    /// <summary>Links the two as peers, <paramref name="dialler"/> having dialled. Called with the lock held.</summary>
    private static void Link(SimNodeState dialler, SimNodeState listener)
    {
        dialler.Peers.Add(listener.Name);
        listener.Peers.Add(dialler.Name);
        RecordLinkUp(dialler, listener);
    }

    /// <summary>Links two nodes whose link is down while both are up; false when there was nothing to do.
    /// Called with the lock held.</summary>
    private static bool TryRelink(SimNodeState dialler, SimNodeState listener)
    {
        if (dialler.IsDown || listener.IsDown || dialler.Peers.Contains(listener.Name))
        {
            return false;
        }

        Link(dialler, listener);
        return true;
    }

    /// <summary><paramref name="dialler"/> opened the link to <paramref name="listener"/>; a link already up stays as it was.</summary>
    private static void RecordLinkUp(SimNodeState dialler, SimNodeState listener)
    {
        var now = DateTimeOffset.UtcNow;
        Up(dialler, listener.Name, inbound: false, now);
        Up(listener, dialler.Name, inbound: true, now);

        static void Up(SimNodeState node, string peer, bool inbound, DateTimeOffset now)
        {
            var link = LinkOf(node, peer);
            if (link.Up)
            {
                return;
            }

            link.Up = true;
            link.Inbound = inbound;
            link.ConnectedAt = now;
            link.BytesSent += PeerLink.InitMessageBytes + PeerLink.WireOverheadBytes;
            link.BytesReceived += PeerLink.InitMessageBytes + PeerLink.WireOverheadBytes;
        }
    }

    /// <summary>The link between the two went down: LND counts that as a flap of the peer on each side.</summary>
    private static void RecordLinkDown(SimNodeState a, SimNodeState b)
    {
        var now = DateTimeOffset.UtcNow;
        Down(LinkOf(a, b.Name), now);
        Down(LinkOf(b, a.Name), now);

        static void Down(PeerLink link, DateTimeOffset now)
        {
            if (link.Up)
            {
                link.Up = false;
                link.FlapCount++;
                link.LastFlap = now;
            }
        }
    }

    private static void RecordMessageBytes(SimNodeState sender, SimNodeState target, int payloadBytes)
    {
        var onWire = (ulong)(payloadBytes + PeerLink.WireOverheadBytes);
        LinkOf(sender, target.Name).BytesSent += onWire;
        LinkOf(target, sender.Name).BytesReceived += onWire;
    }

    private static PeerLink LinkOf(SimNodeState node, string peer)
    {
        if (!node.PeerLinks.TryGetValue(peer, out var link))
        {
            link = new PeerLink();
            node.PeerLinks.Add(peer, link);
        }

        return link;
    }

    /// <summary>A copy of a node's record of one peer, read under the lock.</summary>
    public PeerLink LinkSnapshot(string node, string peer)
    {
        lock (_gate)
        {
            var link = LinkOf(_nodes[node], peer);
            return new PeerLink
            {
                Up = link.Up,
                Inbound = link.Inbound,
                ConnectedAt = link.ConnectedAt,
                BytesSent = link.BytesSent,
                BytesReceived = link.BytesReceived,
                FlapCount = link.FlapCount,
                LastFlap = link.LastFlap,
            };
        }
    }
}
