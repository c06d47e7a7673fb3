namespace ImpVpn.LndSim.Network;

/// <summary>
/// LND 0.19+'s access manager (accessman.go): a peer with no channel to the node takes one of its restricted
/// slots when it connects in; with every slot taken, the node's brontide listener closes the connection right
/// after the handshake. The dialler's ConnectPeer has by then returned "connection initiated", so the refusal
/// shows only as a peer that never appears in ListPeers and is NotFound for custom messages.
/// </summary>
public sealed partial class SimNetwork
{
    /// <summary>Whether <paramref name="target"/> lets <paramref name="dialler"/> in. Called with the lock held.</summary>
    private bool HasRestrictedSlotFor(SimNodeState target, string dialler)
    {
        if (HasChannel(target.Name, dialler))
        {
            return true;
        }

        var restricted = target.Peers.Count(peer =>
            target.PeerLinks.TryGetValue(peer, out var link) && link.Inbound && !HasChannel(target.Name, peer));
        return restricted < target.RestrictedPeerSlots;
    }

    /// <summary>Called with the lock held.</summary>
    private bool HasChannel(string a, string b) => _channels.Any(c => c.Involves(a) && c.Involves(b));
}
