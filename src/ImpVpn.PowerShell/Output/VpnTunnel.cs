using ImpVpn.Core.Buying;

namespace ImpVpn.PowerShell.Output;

/// <summary>A tunnel as the cmdlets show it: the contract and, where the interface is up, its live state.
/// Holds no secret: the private key stays in the store; <see cref="ConfigPath"/> names the 0600 .conf file.</summary>
public sealed record VpnTunnel
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

    /// <summary>This machine's address inside the tunnel.</summary>
    public string Address { get; init; } = string.Empty;

    /// <summary>The seller's address inside the tunnel (what a node-to-node tunnel reaches).</summary>
    public string SellerTunnelAddress { get; init; } = string.Empty;

    public string Endpoint { get; init; } = string.Empty;

    /// <summary>NodeToNode, Exit (all of this machine's traffic through the tunnel) or PortForward, as bought.</summary>
    public string Mode { get; init; } = string.Empty;

    /// <summary>An exit's resolvers: this machine's DNS servers while the tunnel is up.</summary>
    public string[] Resolvers { get; init; } = [];

    public string SellerWireGuardKey { get; init; } = string.Empty;

    public bool HasProofOfPayment { get; init; }

    public DateTimeOffset? LastHandshake { get; init; }

    public long ReceivedBytes { get; init; }

    public long SentBytes { get; init; }

    public string? ConfigPath { get; init; }

    /// <summary>A port forward's public host:port, which reaches this node's Lightning port (9735) through the tunnel.</summary>
    public string? ForwardedEndpoint { get; init; }

    /// <summary>The lnd.conf line ([Application Options]) that announces <see cref="ForwardedEndpoint"/>.</summary>
    public string? LndSetting => ForwardedEndpoint is { } endpoint ? LndExternalHosts.Setting(endpoint) : null;

    /// <summary>Taken off this machine with Remove-VpnTunnel: no interface, key or configuration is left here.</summary>
    public bool Removed { get; init; }

    public static VpnTunnel From(TunnelStatus status) => From(status.Contract) with
    {
        LastHandshake = status.Live?.LastHandshake,
        ReceivedBytes = status.Live?.ReceiveBytes ?? 0,
        SentBytes = status.Live?.TransmitBytes ?? 0,
        ConfigPath = status.ConfigPath,
    };

    public static VpnTunnel From(BoughtContract contract) => new()
    {
        Id = contract.Id,
        SellerPubKey = contract.SellerPubKey,
        // A tunnel taken off this machine is shown as such whatever its paid time: there is nothing left here to renew.
        State = contract.TunnelRemoved ? "Removed" : contract.StateAt(DateTimeOffset.UtcNow).ToString(),
        ExpiresAt = contract.ExpiresAt,
        PriceSat = contract.PriceSat,
        PaidSat = contract.PaidSat,
        FeeSat = contract.FeePaidSat,
        InterfaceName = contract.InterfaceName,
        Address = contract.BuyerTunnelAddress,
        SellerTunnelAddress = contract.SellerTunnelAddress,
        Endpoint = contract.Endpoint,
        Mode = contract.TunnelMode.ToString(),
        Resolvers = [.. contract.Resolvers],
        SellerWireGuardKey = contract.SellerWireGuardKey,
        // The preimage is made before paying (protocol version 2): it proves payment only once the payment settled.
        HasProofOfPayment = contract.Preimage is not null && contract.PaidSat > 0,
        Removed = contract.TunnelRemoved,
        ForwardedEndpoint = contract.ForwardedEndpoint,
    };

    public override string ToString() => $"{Id} {State} {Address} via {Endpoint}";
}
