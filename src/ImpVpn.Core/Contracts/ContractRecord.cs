using ImpVpn.Core.Store;

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
public sealed record ContractRecord : IStoredContract<ContractRecord>
{
    public int? SchemaVersion { get; init; }

    ContractRecord IStoredContract<ContractRecord>.StampedForWriting(DateTimeOffset now) => this with { SchemaVersion = StoreSchema.Current, UpdatedAt = now };

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

    /// <summary>Buyer: the tunnel was removed from this machine (interface, private key and configuration are gone).</summary>
    public bool TunnelRemoved { get; init; }

    /// <summary>Seller: the hold invoice has been settled. False between recording the activation and settling, so
    /// a seller that dies in between settles on its next start instead of serving a tunnel it was never paid for.</summary>
    public bool InvoiceSettled { get; init; }

    /// <summary>Seller: a refresh invoiced and not yet settled.</summary>
    public PendingRefresh? Refresh { get; init; }

    /// <summary>Buyer: a refresh whose payment may be under way, recorded before paying so that running the refresh
    /// again finishes this one instead of paying for another.</summary>
    public RefreshPayment? RefreshBeingPaid { get; init; }

    public bool HasPreimage => Preimage is not null;

    /// <summary>The state as of <paramref name="now"/>: an active contract whose time has run out is expired, even
    /// where (on the buyer's side) nothing has recorded that yet.</summary>
    public ContractState StateAt(DateTimeOffset now) =>
        State == ContractState.Active && ExpiresAt <= now ? ContractState.Expired : State;

    public override string ToString() =>
        $"Contract {Id} ({Role}, {State}) with {PeerPubKey[..Math.Min(16, PeerPubKey.Length)]}…, {PriceSat} sat, expires {ExpiresAt:u}";
}

/// <summary>The seller's refresh invoice: more time for an existing contract, paid like the first purchase.
/// <see cref="Applied"/> is set when the time has been added and the invoice is about to be settled; the invoice
/// lapses (and is cancelled) at <see cref="InvoiceExpiresAt"/> when it was never paid.</summary>
public sealed record PendingRefresh(string PaymentHash, string Preimage, long DurationSeconds, long PriceSat, DateTimeOffset InvoiceExpiresAt, bool Applied = false)
{
    // The preimage is the seller's secret until it settles: keep it out of the compiler's ToString.
    public override string ToString() => $"Refresh {PaymentHash[..Math.Min(16, PaymentHash.Length)]}… +{DurationSeconds} s for {PriceSat} sat{(Applied ? ", applied" : string.Empty)}";
}

/// <summary>The buyer's record of a refresh it is paying for.</summary>
public sealed record RefreshPayment(string PaymentHash, long PriceSat, long DurationSeconds);
