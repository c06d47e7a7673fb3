using Grpc.Core;

namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>What lies under a gRPC failure: Grpc.Net.Client wraps the transport's own exception (a refused socket, a
/// failed TLS handshake) some levels down in the status's debug exception.</summary>
internal static class RpcFailureCause
{
    /// <summary>Whether an exception of type <typeparamref name="T"/> (matching <paramref name="match"/>, when given)
    /// is among the causes of <paramref name="e"/>.</summary>
    public static bool Has<T>(RpcException e, Func<T, bool>? match = null)
        where T : Exception
    {
        for (var inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found && (match is null || match(found)))
            {
                return true;
            }
        }

        return false;
    }
}
