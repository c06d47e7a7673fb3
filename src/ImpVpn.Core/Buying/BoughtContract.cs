using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Buying;

/// <summary>Where a purchase stands on the buyer's side.</summary>
public enum BoughtContractState
{
    /// <summary>The payment hash is recorded and the payment may be in flight.</summary>
    Paying,

    /// <summary>Paid, activated and claimed: the payment settled, so the preimage is the proof of payment.</summary>
    Active,

    /// <summary>Its time has run out.</summary>
    Expired,

    /// <summary>Never activated: the payment failed or was refunded.</summary>
    Cancelled,
}

/// <summary>
/// A contract this machine bought: the terms, the payment and its proof, and the tunnel the seller assigned. Every
/// change of state is one of the methods here, so what may follow what is read in one place. <see cref="Preimage"/>
/// is made by this buyer before it accepts (protocol version 2) and revealed to the seller only once the tunnel
/// works; once the payment settled it is the proof of payment. It lives only in the owner-only store file, never in
/// output or logs.
/// JSON names are those of schema 1 (see <see cref="StoreSchema"/>), so older stores read unchanged.
/// </summary>
public sealed record BoughtContract : IStoredContract<BoughtContract>
{
    public required string Id { get; init; }

    public int? SchemaVersion { get; init; }

    /// <summary>Kept in the file so a person (or an older tool) reading it knows whose side it records.</summary>
    [JsonInclude]
    [SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Written to the file: System.Text.Json serializes instance properties only.")]
    public string Role => "Buyer";

    [JsonPropertyName("PeerPubKey")]
    public required string SellerPubKey { get; init; }

    /// <summary>The seller's Lightning host:port when the buyer gave one (the seller may not be in the node graph).</summary>
    [JsonPropertyName("PeerAddress")]
    public string? SellerNodeAddress { get; init; }

    [JsonInclude]
    public BoughtContractState State { get; private init; }

    /// <summary>What the contract has cost, the purchase and every refresh, in sat (before routing fees).</summary>
    public long PriceSat { get; init; }

    /// <summary>The price of the purchase alone, as quoted (PriceSat grows with each refresh): what a refresh's
    /// ceiling is scaled from. Null in contracts bought before it was recorded, which scale PriceSat instead.</summary>
    public long? PurchasePriceSat { get; init; }

    public long PaidSat { get; init; }

    public long FeePaidSat { get; init; }

    public long DurationSeconds { get; init; }

    /// <summary>The nonce of the quote this contract was bought with: two runs confirming one quote find each other by it.</summary>
    public string Nonce { get; init; } = string.Empty;

    public string PaymentHash { get; init; } = string.Empty;

    /// <summary>The preimage of <see cref="PaymentHash"/>: this buyer's secret until it claims, then the proof of
    /// payment. Contracts bought under protocol version 1 have it only once paid.</summary>
    public string? Preimage { get; init; }

    public string PaymentRequest { get; init; } = string.Empty;

    public string BuyerWireGuardKey { get; init; } = string.Empty;

    public string SellerWireGuardKey { get; init; } = string.Empty;

    /// <summary>The seller's WireGuard endpoint, ip:port.</summary>
    public string Endpoint { get; init; } = string.Empty;

    [JsonPropertyName("BuyerAddress")]
    public string BuyerTunnelAddress { get; init; } = string.Empty;

    [JsonPropertyName("SellerAddress")]
    public string SellerTunnelAddress { get; init; } = string.Empty;

    public IReadOnlyList<string> AllowedIps { get; init; } = [];

    /// <summary>The tunnel's mode as the protocol names it (<see cref="TunnelOfferVocabulary"/>), from the quote;
    /// empty in files written before modes existed, which were node-to-node.</summary>
    public string Mode { get; init; } = string.Empty;

    /// <summary>The mode, read from <see cref="Mode"/>.</summary>
    [JsonIgnore]
    public TunnelMode TunnelMode => TunnelOfferVocabulary.StoredMode(Mode);

    /// <summary>Exit tunnels: the resolvers the seller named, used while the tunnel carries this machine's traffic.</summary>
    public IReadOnlyList<string> Resolvers { get; init; } = [];

    /// <summary>Port-forward tunnels: the seller's public host:port that reaches this node's Lightning p2p port.</summary>
    public string? ForwardedEndpoint { get; init; }

    public string InterfaceName { get; init; } = string.Empty;

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset QuoteExpiresAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    public DateTimeOffset UpdatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The tunnel was removed from this machine (interface, private key and configuration are gone).</summary>
    [JsonInclude]
    public bool TunnelRemoved { get; private init; }

    /// <summary>A refresh whose payment may be under way, recorded before paying so that running the refresh again
    /// finishes this one instead of paying for another.</summary>
    [JsonInclude]
    public RefreshPayment? RefreshBeingPaid { get; private init; }

    /// <summary>Whether a payment for this contract may be in flight: such a contract is finished, never abandoned.</summary>
    public bool PaymentMayBeUnderWay => State == BoughtContractState.Paying || RefreshBeingPaid is not null;

    /// <summary>Whether the seller has given it a tunnel (it was activated at least once).</summary>
    public bool HasTunnel => SellerWireGuardKey.Length > 0;

    /// <summary>The tunnel as recorded, once the seller has given one (<see cref="HasTunnel"/>).</summary>
    [JsonIgnore]
    public SellerTunnel Tunnel => HasTunnel
        ? new SellerTunnel(SellerWireGuardKey, Endpoint, BuyerTunnelAddress, SellerTunnelAddress, AllowedIps, ExpiresAt ?? DateTimeOffset.MinValue, Resolvers, ForwardedEndpoint)
        : throw new InvalidOperationException($"Contract {Id} has no tunnel yet.");

    /// <summary>The state as of <paramref name="now"/>: an active contract whose time has run out is expired, even
    /// where nothing has recorded that yet.</summary>
    public BoughtContractState StateAt(DateTimeOffset now) =>
        State == BoughtContractState.Active && ExpiresAt <= now ? BoughtContractState.Expired : State;

    /// <summary>A contract accepted by the seller, recorded before anything is paid, with the preimage this buyer
    /// made for it.</summary>
    public static BoughtContract Paying(string id, VpnQuote quote, string paymentHash, string preimage, string paymentRequest, string buyerWireGuardKey, string buyerTunnelAddress, string interfaceName) => new()
    {
        Id = id,
        SellerPubKey = quote.SellerPubKey,
        SellerNodeAddress = quote.SellerNodeAddress,
        State = BoughtContractState.Paying,
        PriceSat = quote.PriceSat,
        PurchasePriceSat = quote.PriceSat,
        DurationSeconds = (long)quote.Duration.TotalSeconds,
        Nonce = quote.Nonce,
        PaymentHash = paymentHash,
        Preimage = preimage,
        PaymentRequest = paymentRequest,
        BuyerWireGuardKey = buyerWireGuardKey,
        BuyerTunnelAddress = buyerTunnelAddress,
        InterfaceName = interfaceName,
        QuoteExpiresAt = quote.ExpiresAt,
        Mode = quote.Mode,
    };

    /// <summary>The payment failed or was refunded: nothing was bought.</summary>
    public BoughtContract Cancelled() => this with { State = BoughtContractState.Cancelled };

    /// <summary>The payment settled (the preimage proves it) but the seller's answer to activate never came: the proof
    /// is kept at once, and the contract stays Paying until a later run fetches the tunnel with it.</summary>
    public BoughtContract PaidBeforeActivation(PaymentResult settled) => this with
    {
        PaidSat = settled.ValueSat,
        FeePaidSat = settled.FeeSat,
        Preimage = Convert.ToHexString(settled.Preimage!).ToLowerInvariant(),
    };

    /// <summary>Paid (the preimage proves it) and activated with the seller's tunnel.</summary>
    public BoughtContract Activated(SellerTunnel tunnel, PaymentResult settled) => WithTunnel(tunnel) with
    {
        State = BoughtContractState.Active,
        PaidSat = settled.ValueSat,
        FeePaidSat = settled.FeeSat,
        Preimage = Convert.ToHexString(settled.Preimage!).ToLowerInvariant(),
    };

    /// <summary>The seller's tunnel, given before the claim or fetched again after a lost configuration; the state does
    /// not change.</summary>
    public BoughtContract WithTunnel(SellerTunnel tunnel) => this with
    {
        SellerWireGuardKey = tunnel.SellerWireGuardKey,
        Endpoint = tunnel.Endpoint,
        BuyerTunnelAddress = tunnel.BuyerTunnelAddress,
        SellerTunnelAddress = tunnel.SellerTunnelAddress,
        AllowedIps = tunnel.AllowedIps,
        ExpiresAt = tunnel.ExpiresAt,
        Resolvers = tunnel.Resolvers ?? [],
        ForwardedEndpoint = tunnel.ForwardedEndpoint,
    };

    /// <summary>A refresh about to be paid, recorded first.</summary>
    public BoughtContract RefreshRecorded(RefreshPayment refresh) => this with { RefreshBeingPaid = refresh };

    /// <summary>A recorded refresh that was never made, or failed: nothing of it stands.</summary>
    public BoughtContract RefreshAbandoned() => this with { RefreshBeingPaid = null };

    /// <summary>The recorded refresh is paid and the seller has added the time.</summary>
    public BoughtContract Refreshed(DateTimeOffset expiresAt, PaymentResult settled) => this with
    {
        ExpiresAt = expiresAt,
        PriceSat = PriceSat + (RefreshBeingPaid?.PriceSat ?? 0),
        PaidSat = PaidSat + settled.ValueSat,
        FeePaidSat = FeePaidSat + settled.FeeSat,
        RefreshBeingPaid = null,
    };

    /// <summary>This contract, when its tunnel is still on this machine; refused (<see cref="PurchaseError.TunnelRemoved"/>)
    /// once it was removed: its private key is gone, so nothing can be fetched, set up or refreshed for it.</summary>
    public BoughtContract RequireTunnelOnThisMachine() => TunnelRemoved
        ? throw new PurchaseException(PurchaseError.TunnelRemoved, $"The tunnel of contract {Id} was removed from this machine (its private key is gone); buy a new one.", contractId: Id)
        : this;

    /// <summary>The tunnel's interface, key and configuration are gone from this machine; the contract and its proof
    /// of payment stay.</summary>
    public BoughtContract Removed() => this with { InterfaceName = string.Empty, TunnelRemoved = true };

    BoughtContract IStoredContract<BoughtContract>.StampedForWriting(DateTimeOffset now) =>
        this with { SchemaVersion = StoreSchema.Current, UpdatedAt = now };

    public override string ToString() =>
        $"Bought contract {Id} ({State}) from {SellerPubKey[..Math.Min(16, SellerPubKey.Length)]}…, {PriceSat} sat, expires {ExpiresAt:u}";
}

/// <summary>The buyer's record of a refresh it is paying for, with the preimage it made for it (protocol version 2;
/// null for a refresh recorded by an older version).</summary>
public sealed record RefreshPayment(string PaymentHash, long PriceSat, long DurationSeconds, string? Preimage = null)
{
    // The preimage pays the seller once revealed: keep it out of the compiler's ToString.
    public override string ToString() => $"Refresh {PaymentHash[..Math.Min(16, PaymentHash.Length)]}… +{DurationSeconds} s for {PriceSat} sat";
}

/// <summary>The tunnel the seller assigned, once <see cref="SellerAnswerCheck"/> has found every field usable.</summary>
public sealed record SellerTunnel(
    string SellerWireGuardKey,
    string Endpoint,
    string BuyerTunnelAddress,
    string SellerTunnelAddress,
    IReadOnlyList<string> AllowedIps,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string>? Resolvers = null,
    string? ForwardedEndpoint = null)
{
}
