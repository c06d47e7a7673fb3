using ImpVpn.Core.Contracts;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.PowerShell.Output;

/// <summary>A tunnel as the cmdlets show it: the contract and, where the interface is up, its live state.
/// Holds no secret: the private key stays in the store; <see cref="ConfigPath"/> names the 0600 .conf file.</summary>
public sealed class VpnTunnel
{
    public required string Id { get; init; }

    public required string SellerPubKey { get; init; }

    public required string State { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public TimeSpan? TimeLeft => ExpiresAt is { } expires ? (expires > DateTimeOffset.UtcNow ? expires - DateTimeOffset.UtcNow : TimeSpan.Zero) : null;

    public long PriceSat { get; init; }

    public long PaidSat { get; init; }

    public long FeeSat { get; init; }

    public string InterfaceName { get; init; } = string.Empty;

    public string Address { get; init; } = string.Empty;

    public string SellerAddress { get; init; } = string.Empty;

    public string Endpoint { get; init; } = string.Empty;

    public string SellerWireGuardKey { get; init; } = string.Empty;

    public bool HasProofOfPayment { get; init; }

    public DateTimeOffset? LastHandshake { get; init; }

    public long ReceivedBytes { get; init; }

    public long SentBytes { get; init; }

    public string? ConfigPath { get; init; }

    /// <summary>Taken off this machine with Remove-VpnTunnel: no interface, key or configuration is left here.</summary>
    public bool Removed { get; init; }

    public static VpnTunnel From(ContractRecord contract, WireGuardPeer? live = null, string? configPath = null) => new()
    {
        Id = contract.Id,
        SellerPubKey = contract.PeerPubKey,
        State = contract.StateAt(DateTimeOffset.UtcNow).ToString(),
        ExpiresAt = contract.ExpiresAt,
        PriceSat = contract.PriceSat,
        PaidSat = contract.PaidSat,
        FeeSat = contract.FeePaidSat,
        InterfaceName = contract.InterfaceName,
        Address = contract.BuyerAddress,
        SellerAddress = contract.SellerAddress,
        Endpoint = contract.Endpoint,
        SellerWireGuardKey = contract.SellerWireGuardKey,
        HasProofOfPayment = contract.HasPreimage,
        LastHandshake = live?.LastHandshake,
        ReceivedBytes = live?.ReceiveBytes ?? 0,
        SentBytes = live?.TransmitBytes ?? 0,
        ConfigPath = configPath,
        Removed = contract.TunnelRemoved,
    };

    public override string ToString() => $"{Id} {State} {Address} via {Endpoint}";
}
