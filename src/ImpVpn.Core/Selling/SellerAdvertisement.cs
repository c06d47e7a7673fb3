using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>
/// The seller's presence in the graph: <see cref="PeerProtocol.SellerFeatureBit"/> set in its node's announcement
/// while it sells, cleared when it stops, so buyers looking through their graph find it. Being found is a help, not a
/// condition of selling: a node that cannot change its announcement (built without peersrpc, a macaroon without
/// peers:write) or does not answer within <c>timeout</c> is reported with a warning and the seller sells to buyers
/// who know its key. LND forgets a bit set this way when it restarts, so the seller sets it again from its expiry
/// loop (<see cref="RefreshAsync"/>); a node that refused for good (Unimplemented, PermissionDenied) is warned of
/// once, not every refresh.
/// </summary>
/// <remarks>Sets and the clear take turns: a refresh still under way when the seller stops must not set the bit
/// after it was cleared, so once <see cref="WithdrawAsync"/> has begun every later set does nothing. A set whose
/// outcome is unknown (cancelled, the node gone mid-call) may have reached LND, so the clear is sent whenever a set
/// was, whatever it answered; LND's "already unset" counts as cleared.</remarks>
public sealed class SellerAdvertisement(ILightningNode node, IProgressLog log, TimeProvider clock, TimeSpan refreshInterval, TimeSpan timeout) : IDisposable
{
    /// <summary>How long one set may take by default: a node that does not answer must not hold the seller's start.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _turn = new(1, 1);
    private volatile bool _disposed;
    private long _lastSet;
    private volatile bool _advertised;
    private volatile bool _withdrawn;
    private bool _maybeSet;
    private bool _refusedForGood;

    public SellerAdvertisement(ILightningNode node, IProgressLog log, TimeProvider clock, TimeSpan refreshInterval)
        : this(node, log, clock, refreshInterval, DefaultTimeout)
    {
    }

    /// <summary>Whether the bit was set the last time it was asked for.</summary>
    public bool Advertised => _advertised;

    /// <summary>Sets the bit, within the timeout. Never throws for the node's refusal or silence: logs it. Throws
    /// <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> was cancelled.</summary>
    public async Task AdvertiseAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            return;
        }

        using var bounded = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bounded.Token);
        try
        {
            await _turn.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            log.Log(LogLevel.Warning, $"Feature bit {PeerProtocol.SellerFeatureBit} was not set within {timeout.TotalSeconds:0.#} s: buyers will not find this seller in their graph until it is, only by its key.");
            return;
        }

        try
        {
            if (_withdrawn)
            {
                return;
            }

            await SetAsync(linked.Token, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Sets the bit again once <c>refreshInterval</c> has passed since it was last set: the node may have
    /// restarted and forgotten it (setting a bit already set is not a change).</summary>
    public Task RefreshAsync(CancellationToken cancellationToken) =>
        clock.GetElapsedTime(Interlocked.Read(ref _lastSet)) >= refreshInterval ? AdvertiseAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Clears the bit when a set may have reached the node, and makes every later set do nothing; a failure
    /// is logged, never thrown (the seller is stopping either way).</summary>
    public async Task WithdrawAsync(CancellationToken cancellationToken)
    {
        _withdrawn = true;
        // Disposed after its withdrawal (a seller stopped, then disposed, or disposed twice): nothing is left to do.
        if (_disposed)
        {
            return;
        }

        try
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            log.Log(LogLevel.Warning, $"Feature bit {PeerProtocol.SellerFeatureBit} could not be cleared from this node's announcement (a set was still under way), so buyers may still find this node as a seller.");
            _advertised = false;
            return;
        }

        try
        {
            if (!_maybeSet)
            {
                return;
            }

            await node.SetAnnouncedFeatureAsync(PeerProtocol.SellerFeatureBit, advertise: false, cancellationToken).ConfigureAwait(false);
            _maybeSet = false;
            log.Log(LogLevel.Verbose, $"Feature bit {PeerProtocol.SellerFeatureBit} is cleared from this node's announcement.");
        }
        catch (Exception e) when (e is LightningException or OperationCanceledException)
        {
            log.Log(LogLevel.Warning, $"Feature bit {PeerProtocol.SellerFeatureBit} could not be cleared from this node's announcement, so buyers may still find this node as a seller: {e.Message}");
        }
        finally
        {
            _advertised = false;
            _turn.Release();
        }
    }

    /// <summary>Call after <see cref="WithdrawAsync"/>: a later withdraw or set does nothing.</summary>
    public void Dispose()
    {
        _withdrawn = true;
        _disposed = true;
        _turn.Dispose();
    }

    // Called holding the turn.
    private async Task SetAsync(CancellationToken bounded, CancellationToken cancellationToken)
    {
        try
        {
            await node.SetAnnouncedFeatureAsync(PeerProtocol.SellerFeatureBit, advertise: true, bounded).ConfigureAwait(false);
            _maybeSet = true;
            if (!_advertised)
            {
                log.Log(LogLevel.Verbose, $"Feature bit {PeerProtocol.SellerFeatureBit} is set in this node's announcement: buyers find this seller in their graph once gossip has carried it there.");
            }

            _advertised = true;
            _refusedForGood = false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Cut by the timeout: LND may have set it all the same.
            _maybeSet = true;
            _advertised = false;
            log.Log(LogLevel.Warning, $"Feature bit {PeerProtocol.SellerFeatureBit} was not set within {timeout.TotalSeconds:0.#} s: buyers will not find this seller in their graph until it is, only by its key.");
        }
        catch (OperationCanceledException)
        {
            _maybeSet = true;
            _advertised = false;
            throw;
        }
        catch (LightningException e)
        {
            // The node's own refusal set nothing; a failure on the way (the node gone mid-call) may have.
            _maybeSet |= e is not (LightningRpcException or MacaroonException);
            _advertised = false;
            var forGood = e is MacaroonException || e is LightningRpcException { Code: "Unimplemented" or "PermissionDenied" };
            log.Log(forGood && _refusedForGood ? LogLevel.Verbose : LogLevel.Warning, $"This node's announcement could not carry feature bit {PeerProtocol.SellerFeatureBit} (peersrpc UpdateNodeAnnouncement): buyers will not find this seller in their graph, only by its key. {e.Message}");
            _refusedForGood |= forGood;
        }

        Interlocked.Exchange(ref _lastSet, clock.GetTimestamp());
    }
}
