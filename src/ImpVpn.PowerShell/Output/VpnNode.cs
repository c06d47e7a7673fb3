using ImpVpn.Core.Lightning;

namespace ImpVpn.PowerShell.Output;

/// <summary>The session's Lightning node as Connect-VpnNode and Get-VpnNode show it: what the node says of itself
/// (GetInfo), where this session reaches it and where it keeps its contracts. Property names are those of
/// <see cref="NodeInfo"/>, so scripts that read Connect-VpnNode's output keep working. Holds no secret.</summary>
public sealed record VpnNode
{
    public required string IdentityPubKey { get; init; }

    public required string Alias { get; init; }

    public required string Network { get; init; }

    public bool SyncedToChain { get; init; }

    public bool SyncedToGraph { get; init; }

    public uint BlockHeight { get; init; }

    public int ActiveChannels { get; init; }

    public IReadOnlyList<string> Uris { get; init; } = [];

    /// <summary>LND's version string.</summary>
    public required string Version { get; init; }

    /// <summary>The node's gRPC host:port this session calls.</summary>
    public required string RpcAddress { get; init; }

    /// <summary>Where this session keeps contracts, keys and proofs of payment.</summary>
    public required string StorePath { get; init; }

    public static VpnNode From(NodeInfo info, string rpcAddress, string storePath) => new()
    {
        IdentityPubKey = info.IdentityPubKey,
        Alias = info.Alias,
        Network = info.Network,
        SyncedToChain = info.SyncedToChain,
        SyncedToGraph = info.SyncedToGraph,
        BlockHeight = info.BlockHeight,
        ActiveChannels = info.ActiveChannels,
        Uris = info.Uris,
        Version = info.Version,
        RpcAddress = rpcAddress,
        StorePath = storePath,
    };
}
