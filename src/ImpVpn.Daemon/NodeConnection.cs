using ImpVpn.Core.Daemon;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;

namespace ImpVpn.Daemon;

/// <summary>The one connection to the node that the daemon's seller and refresh share, made by whichever starts first.</summary>
internal sealed class NodeConnection(DaemonSettings settings) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private LndNode? _node;

    public async Task<ILightningNode> GetAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _node ??= await LndNode.ConnectAsync(settings.Node, settings.RequireSynced, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
