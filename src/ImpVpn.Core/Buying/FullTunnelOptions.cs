namespace ImpVpn.Core.Buying;

/// <summary>How an exit (full tunnel) is set up on this machine.</summary>
public sealed record FullTunnelOptions
{
    /// <summary>LND's default p2p port (its <c>listen</c> setting): this node's peer connections stay outside.</summary>
    public const int DefaultNodeP2pPort = 9735;

    /// <summary>While the tunnel is meant to be up, nothing leaves outside it (on by default; off only when asked).</summary>
    public bool KillSwitch { get; init; } = true;

    /// <summary>The Lightning node's p2p port: TCP to or from it stays on the main table (and passes the kill switch),
    /// so the node keeps its peers and stays reachable at its own address.</summary>
    public int NodeP2pPort { get; init; } = DefaultNodeP2pPort;

    /// <summary>More IP addresses whose traffic stays outside the tunnel: the host of a Lightning node this machine
    /// drives over gRPC from elsewhere (its LAN address would otherwise be cut off by the kill switch).</summary>
    public IReadOnlyList<string> KeepOutsideAddresses { get; init; } = [];
}
