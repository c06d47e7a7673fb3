namespace ImpVpn.Core.Contracts;

public enum ContractRole
{
    Buyer,
    Seller,
}

public enum ContractState
{
    /// <summary>Seller: hold invoice issued, waiting for the payment. Buyer: accepted, not yet paying.</summary>
    AwaitingPayment,

    /// <summary>Buyer: the payment hash is recorded and the payment may be in flight.</summary>
    Paying,

    Active,
    Expired,

    /// <summary>Never activated: refused, refunded or lapsed.</summary>
    Cancelled,
}

/// <summary>
/// One contract as a side stores it. <see cref="Preimage"/> is secret (proof of payment on the buyer's side, the
/// hold invoice's key on the seller's): it lives only in the 0600 store file and never in output or logs.
/// </summary>
public sealed record ContractRecord
{
    public required string Id { get; init; }

    public required ContractRole Role { get; init; }

    /// <summary>The other side's node key.</summary>
    public required string PeerPubKey { get; init; }

    /// <summary>The peer's host:port when the buyer gave it (the seller may not be in the node graph), for reconnecting.</summary>
    public string? PeerAddress { get; init; }

    public ContractState State { get; init; }

    public long PriceSat { get; init; }

    public long PaidSat { get; init; }

    public long FeePaidSat { get; init; }

    public long DurationSeconds { get; init; }

    public string Nonce { get; init; } = string.Empty;

    public string PaymentHash { get; init; } = string.Empty;

    public string? Preimage { get; init; }

    public string PaymentRequest { get; init; } = string.Empty;

    public string BuyerWireGuardKey { get; init; } = string.Empty;

    public string SellerWireGuardKey { get; init; } = string.Empty;

    public string Endpoint { get; init; } = string.Empty;

    public string BuyerAddress { get; init; } = string.Empty;

    public string SellerAddress { get; init; } = string.Empty;

    public IReadOnlyList<string> AllowedIps { get; init; } = [];

    public string InterfaceName { get; init; } = string.Empty;

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset QuoteExpiresAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    public DateTimeOffset UpdatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>A refresh the seller has invoiced but not yet been paid for.</summary>
    public PendingRefresh? Refresh { get; init; }

    public bool HasPreimage => Preimage is not null;

    public override string ToString() =>
        $"Contract {Id} ({Role}, {State}) with {PeerPubKey[..Math.Min(16, PeerPubKey.Length)]}…, {PriceSat} sat, expires {ExpiresAt:u}";
}

/// <summary>A refresh invoice: more time for an existing contract, paid like the first purchase.</summary>
public sealed record PendingRefresh(string PaymentHash, string Preimage, long DurationSeconds, long PriceSat);
