using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>
/// The seller's presence in the graph: <see cref="PeerProtocol.SellerFeatureBit"/> set in its node's announcement
/// while it sells, cleared when it stops, so buyers looking through their graph find it. Being found is a help, not a
/// condition of selling: a node that cannot change its announcement (built without peersrpc, a macaroon without
/// peers:write) is reported with a warning and the seller sells to buyers who know its key. LND forgets a bit set
/// this way when it restarts, so the seller sets it again from its expiry loop (<see cref="RefreshAsync"/>).
/// </summary>
public sealed class SellerAdvertisement(ILightningNode node, IProgressLog log, TimeProvider clock, TimeSpan refreshInterval)
{
    private long _lastSet;
    private volatile bool _advertised;

    /// <summary>Whether the bit was set the last time it was asked for.</summary>
    public bool Advertised => _advertised;

    /// <summary>Sets the bit. Never throws for the node's refusal: logs it.</summary>
    public async Task AdvertiseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await node.SetAnnouncedFeatureAsync(PeerProtocol.SellerFeatureBit, advertise: true, cancellationToken).ConfigureAwait(false);
            if (!_advertised)
            {
                log.Log(LogLevel.Verbose, $"Feature bit {PeerProtocol.SellerFeatureBit} is set in this node's announcement: buyers find this seller in their graph once gossip has carried it there.");
            }

            _advertised = true;
        }
        catch (LightningException e)
        {
            _advertised = false;
            log.Log(LogLevel.Warning, $"This node's announcement could not carry feature bit {PeerProtocol.SellerFeatureBit} (peersrpc UpdateNodeAnnouncement): buyers will not find this seller in their graph, only by its key. {e.Message}");
        }

        Interlocked.Exchange(ref _lastSet, clock.GetTimestamp());
    }

    /// <summary>Sets the bit again once <c>refreshInterval</c> has passed since it was last set: the node may have
    /// restarted and forgotten it (setting a bit already set is not a change).</summary>
    public Task RefreshAsync(CancellationToken cancellationToken) =>
        clock.GetElapsedTime(Interlocked.Read(ref _lastSet)) >= refreshInterval ? AdvertiseAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Clears the bit; a failure is logged, never thrown (the seller is stopping either way).</summary>
    public async Task WithdrawAsync(CancellationToken cancellationToken)
    {
        try
        {
            await node.SetAnnouncedFeatureAsync(PeerProtocol.SellerFeatureBit, advertise: false, cancellationToken).ConfigureAwait(false);
            if (_advertised)
            {
                log.Log(LogLevel.Verbose, $"Feature bit {PeerProtocol.SellerFeatureBit} is cleared from this node's announcement.");
            }
        }
        catch (Exception e) when (e is LightningException or OperationCanceledException)
        {
            log.Log(LogLevel.Warning, $"Feature bit {PeerProtocol.SellerFeatureBit} could not be cleared from this node's announcement, so buyers may still find this node as a seller: {e.Message}");
        }
        finally
        {
            _advertised = false;
        }
    }
}
