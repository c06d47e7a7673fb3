namespace ImpVpn.LndSim.Network;

/// <summary>
/// A flapping peer: a link that keeps dropping. Two shapes, both bounded so a forgotten switch cannot outlive
/// the test that set it: drop the link every interval a given number of times (each drop of a channel peer is
/// redialled as LND does), or drop it under the next K custom messages a node sends (the message is lost with
/// the link; the sender had already been told it was sent, as LND's queue tells it).
/// </summary>
public sealed partial class SimNetwork
{
    /// <summary>Drops the link between <paramref name="a"/> and <paramref name="b"/> every
    /// <paramref name="interval"/>, <paramref name="times"/> times, relinking in between (channel peers by LND's
    /// redial, others by the flap itself, as a peer that dials back). Completes after the last drop's relink.</summary>
    public async Task FlapLinkAsync(string a, string b, TimeSpan interval, int times, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(1));
        var half = interval / 2;
        for (var i = 0; i < times; i++)
        {
            await Task.Delay(half, cancellationToken).ConfigureAwait(false);
            DropLink(a, b, reconnect: true, reconnectAfter: half);
            await Task.Delay(half, cancellationToken).ConfigureAwait(false);
            RelinkIfBothUp(a, b);
        }
    }

    /// <summary>The next <paramref name="count"/> custom messages <paramref name="node"/> sends each take its
    /// link to the recipient down with them.</summary>
    public void DropLinkOnNextMessages(string node, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            _nodes[node].LinkDropsOnMessages = count;
        }
    }

    /// <summary>Called with the lock held, for a message about to be delivered.</summary>
    private bool DropsLinkOnThisMessage(SimNodeState sender, SimNodeState target)
    {
        if (sender.LinkDropsOnMessages <= 0)
        {
            return false;
        }

        sender.LinkDropsOnMessages--;
        Unlink(sender.Name, target.Name);
        if (HasChannel(sender.Name, target.Name))
        {
            _ = RedialAsync(sender.Name, target.Name, PersistentReconnectDelay);
        }

        return true;
    }

    private void RelinkIfBothUp(string a, string b)
    {
        lock (_gate)
        {
            TryRelink(_nodes[a], _nodes[b]);
        }
    }
}
