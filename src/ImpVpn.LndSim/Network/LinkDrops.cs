using Grpc.Core;

namespace ImpVpn.LndSim.Network;

/// <summary>
/// A peer link going down without either node going down (a TCP reset, a NAT timeout), and LND's answer to it:
/// peers it has a channel with are persistent, and its connection manager dials them again after a back-off
/// (connmgr's retry; LND starts at one second). Peers without a channel stay gone until someone connects again.
/// </summary>
public sealed partial class SimNetwork
{
    /// <summary>How long a node waits before redialling a persistent (channel) peer whose link dropped.</summary>
    public TimeSpan PersistentReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Redials wait for this as well as for their delay: a test holds them with a task it completes once it has
    /// seen the link down, so what it sees never depends on how fast the machine is.</summary>
    public Task RedialsHeldUntil { get; set; } = Task.CompletedTask;

    /// <summary>Raised after a dropped link comes back by itself, so tests can wait for it instead of sleeping.</summary>
    public event Action<string, string>? LinkRestored;

    /// <summary>Drops the link between two nodes. Returns false when they were not linked. With
    /// <paramref name="reconnect"/>, channel peers are redialled after <see cref="PersistentReconnectDelay"/>
    /// (or <paramref name="reconnectAfter"/>).</summary>
    public bool DropLink(string a, string b, bool reconnect = true, TimeSpan? reconnectAfter = null)
    {
        bool persistent;
        lock (_gate)
        {
            if (!Unlink(a, b))
            {
                return false;
            }

            persistent = HasChannel(a, b);
        }

        if (reconnect && persistent)
        {
            _ = RedialAsync(a, b, reconnectAfter ?? PersistentReconnectDelay);
        }

        return true;
    }

    /// <summary>DisconnectPeer as LND answers it: refused while a channel is open (unless the node runs with
    /// dev.unsafedisconnect), "not connected" for a peer it has no link to.</summary>
    public void Disconnect(string from, string pubKey)
    {
        var target = ByPubKey(pubKey);
        lock (_gate)
        {
            var channels = target is null ? 0 : _channels.Count(c => c.Involves(from) && c.Involves(target.Name));
            if (channels > 0)
            {
                throw SimErrors.Of(StatusCode.Unknown, $"cannot disconnect from peer({pubKey}), still has {channels} active channels");
            }

            if (target is null || !Unlink(from, target.Name))
            {
                throw SimErrors.Of(StatusCode.Unknown, $"unable to disconnect peer: peer {pubKey} is not connected");
            }
        }
    }

    /// <summary>Called with the lock held.</summary>
    private bool Unlink(string a, string b)
    {
        var nodeA = _nodes[a];
        var nodeB = _nodes[b];
        if (!nodeA.Peers.Remove(b))
        {
            return false;
        }

        nodeB.Peers.Remove(a);
        RecordLinkDown(nodeA, nodeB);
        return true;
    }

    private async Task RedialAsync(string a, string b, TimeSpan delay)
    {
        // Callers may hold the network's lock: the redial always runs later, on its own.
        await Task.Yield();
        await Task.Delay(delay).ConfigureAwait(false);
        await RedialsHeldUntil.ConfigureAwait(false);
        bool restored;
        lock (_gate)
        {
            restored = HasChannel(a, b) && TryRelink(_nodes[a], _nodes[b]);
        }

        if (restored)
        {
            LinkRestored?.Invoke(a, b);
        }
    }
}
