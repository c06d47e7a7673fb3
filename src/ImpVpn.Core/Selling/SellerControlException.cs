namespace ImpVpn.Core.Selling;

/// <summary>A seller's control socket is there but could not be used: connecting failed for another reason than
/// "nothing listens" (such as access denied), or the connection broke or carried no answer. Not "not running":
/// a seller may well be running there.</summary>
public sealed class SellerControlException(string socketPath, string message, bool accessDenied = false, Exception? inner = null)
    : IOException(message, inner)
{
    public string SocketPath { get; } = socketPath;

    /// <summary>Whether the operating system refused this process the socket (another user's seller, or a socket
    /// whose mode was changed).</summary>
    public bool AccessDenied { get; } = accessDenied;
}
