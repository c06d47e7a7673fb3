namespace ImpVpn.LndSim.Hosting;

/// <summary>The peer-link fault switches of one node (see SimNetwork's LinkDrops, LinkFlapping and
/// RestrictedPeerSlots for what each does).</summary>
public sealed partial class SimNode
{
    /// <summary>Inbound peers without a channel this node keeps; LND's default is 100. Connections beyond it are refused.</summary>
    public int RestrictedPeerSlots
    {
        get => _network.Read(() => _state.RestrictedPeerSlots);
        set => _network.Read(() => _state.RestrictedPeerSlots = value);
    }

    /// <summary>Drops this node's link to <paramref name="peer"/>; a channel peer is redialled after the network's
    /// reconnect delay (or <paramref name="reconnectAfter"/>) unless <paramref name="reconnect"/> is false.</summary>
    public bool DropLinkTo(string peer, bool reconnect = true, TimeSpan? reconnectAfter = null) =>
        _network.DropLink(Name, peer, reconnect, reconnectAfter);

    /// <summary>Makes the link to <paramref name="peer"/> flap: down every <paramref name="interval"/>,
    /// <paramref name="times"/> times. The task ends when the flapping does.</summary>
    public Task FlapLinkToAsync(string peer, TimeSpan interval, int times, CancellationToken cancellationToken = default) =>
        _network.FlapLinkAsync(Name, peer, interval, times, cancellationToken);

    /// <summary>The next <paramref name="count"/> custom messages this node sends each drop their link.</summary>
    public void DropLinkOnNextMessages(int count) => _network.DropLinkOnNextMessages(Name, count);

    /// <summary>The next <paramref name="count"/> custom messages this node sends to <paramref name="peer"/> are lost
    /// (the link stays up; the sender was told they were sent).</summary>
    public void LoseNextMessagesTo(string peer, int count) => _network.LoseNextMessages(Name, peer, count);
}
