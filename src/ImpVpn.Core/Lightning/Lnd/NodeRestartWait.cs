using System.Net.Sockets;
using Grpc.Core;

namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>
/// How long a call waits for an LND that refuses connections to come back. LND restarts (an upgrade, a regenerated
/// tls.cert, a crash under a service manager) take seconds; a purchase whose payment is in flight should not end with
/// "cannot reach LND" for that. Only a refused connection is waited out: the call never started, so making it again
/// cannot do anything twice.
/// </summary>
/// <param name="waiting">told before each pause (the node refused a connection; the call will be made again).</param>
internal sealed class NodeRestartWait(Action? waiting = null)
{
    /// <summary>The longest a call waits in all for the node to accept connections again.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(1);

    private readonly DateTime _deadline = DateTime.UtcNow + Longest;
    private TimeSpan _pause = TimeSpan.FromMilliseconds(50);

    /// <summary>Whether the call failed before it reached the node: the connection itself was refused (gRPC reports it
    /// as Unavailable, with the socket's refusal somewhere under it).</summary>
    public static bool NeverStarted(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
        && RpcFailureCause.Has<SocketException>(e, socket => socket.SocketErrorCode == SocketError.ConnectionRefused);

    /// <summary>Whether this wait has time left for another try.</summary>
    public bool HasTimeLeft => DateTime.UtcNow + _pause <= _deadline;

    /// <summary>Pauses before another try; false when the wait is over (the failure stands).</summary>
    public async Task<bool> AnotherTryAsync(CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow + _pause > _deadline)
        {
            return false;
        }

        waiting?.Invoke();
        await Task.Delay(_pause, cancellationToken).ConfigureAwait(false);
        _pause = _pause * 2 < LongestPause ? _pause * 2 : LongestPause;
        return true;
    }
}
