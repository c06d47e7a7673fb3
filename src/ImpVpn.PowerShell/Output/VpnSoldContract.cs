using ImpVpn.Core.Selling;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.PowerShell.Output;

/// <summary>A contract this machine sold, as the seller's operator sees it: the buyer, the tunnel handed out, what
/// was received, and, while active on the seller's interface, its traffic. Holds no secret: the invoices' preimages
/// stay in the store.</summary>
public sealed record VpnSoldContract
{
    public required string Id { get; init; }

    public required string BuyerPubKey { get; init; }

    /// <summary>The buyer's address inside the tunnel.</summary>
    public string BuyerTunnelAddress { get; init; } = string.Empty;

    public required string State { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>What the settled invoices brought in: a held invoice is not received until settled.</summary>
    public long ReceivedSat { get; init; }

    /// <summary>The purchase and every applied refresh, settled or not.</summary>
    public long PriceSat { get; init; }

    /// <summary>Activated and awaiting the buyer's claim (its payment held, not yet received).</summary>
    public bool AwaitsClaim { get; init; }

    public string BuyerWireGuardKey { get; init; } = string.Empty;

    public string Endpoint { get; init; } = string.Empty;

    /// <summary>A port forward's public host:port, reserved for this contract while it lives.</summary>
    public string? ForwardedEndpoint { get; init; }

    public DateTimeOffset? LastHandshake { get; init; }

    /// <summary>Bytes the seller's interface received from this buyer (its upload); null without live state.</summary>
    public long? ReceivedBytes { get; init; }

    /// <summary>Bytes the seller's interface sent to this buyer (its download); null without live state.</summary>
    public long? SentBytes { get; init; }

    public static VpnSoldContract From(SoldContract contract, WireGuardPeer? live) => new()
    {
        Id = contract.Id,
        BuyerPubKey = contract.BuyerPubKey,
        BuyerTunnelAddress = contract.BuyerTunnelAddress,
        State = contract.State.ToString(),
        CreatedAt = contract.CreatedAt,
        ExpiresAt = contract.ExpiresAt,
        ReceivedSat = SellerEarnings.ReceivedSat(contract),
        PriceSat = contract.PriceSat,
        AwaitsClaim = contract.AwaitsClaim,
        BuyerWireGuardKey = contract.BuyerWireGuardKey,
        Endpoint = contract.Endpoint,
        ForwardedEndpoint = contract.ForwardedEndpoint,
        LastHandshake = live?.LastHandshake,
        ReceivedBytes = live?.ReceiveBytes,
        SentBytes = live?.TransmitBytes,
    };

    public override string ToString() => $"{Id} {State} {BuyerTunnelAddress} {ReceivedSat} sat";
}
