using System.Numerics;
using ImpVpn.Core.Selling;

namespace ImpVpn.PowerShell.Output;

/// <summary>The seller on a store as Get-VpnProvider shows it: what the running seller says about itself, or, when
/// none runs, what the store shows (its contracts; nothing about a process or its settings).</summary>
public sealed record VpnProvider
{
    public bool Running { get; init; }

    public required string StorePath { get; init; }

    public int? ProcessId { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public string? NodePubKey { get; init; }

    public string? Endpoint { get; init; }

    public string? InterfaceName { get; init; }

    public int? ListenPort { get; init; }

    public bool? ConfigOnly { get; init; }

    public string? Subnet { get; init; }

    /// <summary>Addresses leased to live contracts (open or active).</summary>
    public int PoolLeased { get; init; }

    /// <summary>Addresses still free; known only from a running seller (the store does not record its subnet).</summary>
    public BigInteger? PoolFree { get; init; }

    public int OpenContracts { get; init; }

    public int ActiveContracts { get; init; }

    public long? PricePerHourSat { get; init; }

    /// <summary>The modes the running seller sells (NodeToNode, Exit, PortForward), as its offer says.</summary>
    public string[] Modes { get; init; } = [];

    /// <summary>The region label in the running seller's offer.</summary>
    public string? Region { get; init; }

    /// <summary>The running seller's ImpVpn version.</summary>
    public string? Version { get; init; }

    public static VpnProvider From(string storePath, SellerStatus status) => new()
    {
        Running = true,
        StorePath = storePath,
        ProcessId = status.ProcessId,
        StartedAt = status.StartedAt,
        NodePubKey = status.NodePubKey,
        Endpoint = status.Endpoint,
        InterfaceName = status.InterfaceName,
        ListenPort = status.ListenPort,
        ConfigOnly = status.ConfigOnly,
        Subnet = status.Subnet,
        PoolLeased = status.PoolLeased,
        PoolFree = status.PoolFree,
        OpenContracts = status.OpenContracts,
        ActiveContracts = status.ActiveContracts,
        PricePerHourSat = status.PricePerHourSat,
        Modes = [.. status.Modes],
        Region = status.Region,
        Version = status.Version,
    };

    /// <summary>No seller running: the live contracts in the store, as a seller starting on it would find them.</summary>
    public static VpnProvider Stopped(string storePath, IReadOnlyList<SoldContract> live) => new()
    {
        Running = false,
        StorePath = storePath,
        PoolLeased = live.Count(c => c.HoldsAddress && c.BuyerTunnelAddress.Length > 0),
        OpenContracts = live.Count(c => c.State == SoldContractState.AwaitingPayment),
        ActiveContracts = live.Count(c => c.State == SoldContractState.Active),
    };

    public override string ToString() => Running ? $"Seller running (pid {ProcessId}) on {StorePath}" : $"No seller running on {StorePath}";
}
