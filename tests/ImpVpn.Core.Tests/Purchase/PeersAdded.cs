using System.Reflection;
using System.Runtime.ExceptionServices;
using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>The buyer's node, with more connected peers than it has (stand-ins for peers on the internet); without a
/// node to wrap, a node that only lists those peers.</summary>
public class PeersAdded : DispatchProxy
{
    private ILightningNode? _inner;
    private PeerInfo[] _extra = [];

    internal static ILightningNode Wrap(ILightningNode? inner, params PeerInfo[] extra)
    {
        var proxy = Create<ILightningNode, PeersAdded>();
        var self = (PeersAdded)(object)proxy;
        self._inner = inner;
        self._extra = extra;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(ILightningNode.ListPeersAsync))
        {
            return ListPeersAsync((CancellationToken)args![0]!);
        }

        if (_inner is null)
        {
            throw new NotSupportedException($"{targetMethod.Name}: this stand-in node only lists peers.");
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private async Task<IReadOnlyList<PeerInfo>> ListPeersAsync(CancellationToken cancellationToken) =>
        [.. _inner is null ? [] : await _inner.ListPeersAsync(cancellationToken).ConfigureAwait(false), .. _extra];
}
