using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Selling;

/// <summary>Where a sale stands on the seller's side. The names are those written in the store's files.</summary>
public enum SoldContractState
{
    /// <summary>Hold invoice issued, waiting for the buyer's payment.</summary>
    AwaitingPayment,

    /// <summary>Paid (held or settled) and the buyer's peer added. Under protocol version 2 the invoice stays held
    /// until the buyer claims (reveals the preimage) or <see cref="SoldContract.ClaimDeadline"/> passes.</summary>
    Active,

    /// <summary>Its time ran out; the peer was removed.</summary>
    Expired,

    /// <summary>Never activated: provisioning failed, the quote lapsed unpaid, or the invoice was never paid.</summary>
    Cancelled,
}

/// <summary>
/// A contract this machine sold: the terms, the hold invoice and its key, and the tunnel handed out. Every change
/// of state is one of the methods here, so what may follow what is read in one place. <see cref="Preimage"/> is
/// the hold invoice's key: under protocol version 1 the seller made it; under version 2 the buyer did, and the seller
/// learns it only from the buyer's claim. It lives only in the owner-only store file, never in output, logs or
/// <see cref="ToString"/>.
/// JSON names are those of schema 1 (see <see cref="StoreSchema"/>), so older stores read unchanged.
/// </summary>
public sealed record SoldContract : IStoredContract<SoldContract>
{
    public required string Id { get; init; }

    public int? SchemaVersion { get; init; }

    /// <summary>Kept in the file so a person (or an older tool) reading it knows whose side it records.</summary>
    [JsonInclude]
    [SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Written to the file: System.Text.Json serializes instance properties only.")]
    public string Role => "Seller";

    [JsonPropertyName("PeerPubKey")]
    public required string BuyerPubKey { get; init; }

    [JsonInclude]
    public SoldContractState State { get; private init; }

    /// <summary>What the contract has earned, the purchase and every applied refresh, in sat.</summary>
    [JsonInclude]
    public long PriceSat { get; private init; }

    public long DurationSeconds { get; init; }

    /// <summary>The nonce of the quote it was sold on.</summary>
    public string Nonce { get; init; } = string.Empty;

    public string PaymentHash { get; init; } = string.Empty;

    /// <summary>The purchase's hold-invoice key: secret until settled; empty until the buyer claims when the buyer
    /// made it (version 2).</summary>
    [JsonInclude]
    public string Preimage { get; private init; } = string.Empty;

    public string PaymentRequest { get; init; } = string.Empty;

    public string BuyerWireGuardKey { get; init; } = string.Empty;

    public string SellerWireGuardKey { get; init; } = string.Empty;

    /// <summary>The seller's WireGuard endpoint as buyers reach it: ip:port, or host:port (a name each buyer resolves).</summary>
    public string Endpoint { get; init; } = string.Empty;

    [JsonPropertyName("BuyerAddress")]
    public string BuyerTunnelAddress { get; init; } = string.Empty;

    [JsonPropertyName("SellerAddress")]
    public string SellerTunnelAddress { get; init; } = string.Empty;

    public IReadOnlyList<string> AllowedIps { get; init; } = [];

    /// <summary>The tunnel's mode as the protocol names it (<see cref="TunnelOfferVocabulary"/>); empty in files
    /// written before modes existed, which were node-to-node (<see cref="TunnelMode"/>).</summary>
    public string Mode { get; init; } = string.Empty;

    /// <summary>Exit tunnels: the resolvers handed to the buyer in activate.</summary>
    public IReadOnlyList<string> Resolvers { get; init; } = [];

    /// <summary>Port-forward tunnels: the public host:port reserved for this contract, forwarded to the buyer's
    /// tunnel address on the Lightning p2p port.</summary>
    public string? ForwardedEndpoint { get; init; }

    /// <summary>The mode, read from <see cref="Mode"/>.</summary>
    [JsonIgnore]
    public TunnelMode TunnelMode => TunnelOfferVocabulary.StoredMode(Mode);

    [JsonInclude]
    public DateTimeOffset? ExpiresAt { get; private init; }

    /// <summary>When the purchase's hold invoice lapses unpaid.</summary>
    public DateTimeOffset QuoteExpiresAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    public DateTimeOffset UpdatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The purchase's hold invoice has been settled. False between recording the activation and settling,
    /// so a seller that dies in between settles later instead of serving a tunnel it was never paid for.</summary>
    [JsonInclude]
    public bool InvoiceSettled { get; private init; }

    /// <summary>Version 2: activated, and the invoice held until the buyer claims; past this time unclaimed, the
    /// invoice is cancelled (the buyer refunded) and the peer removed. Null once claimed, and under version 1.</summary>
    [JsonInclude]
    public DateTimeOffset? ClaimDeadline { get; private init; }

    /// <summary>Activated, awaiting the buyer's claim (version 2): the seller cannot settle, for it does not know the
    /// preimage yet.</summary>
    [JsonIgnore]
    public bool AwaitsClaim => State == SoldContractState.Active && !InvoiceSettled && Preimage.Length == 0;

    /// <summary>Each hold invoice of this contract that was settled (the purchase, then every refresh), with when:
    /// what the seller has received, by day. Absent from files written before 0.3.0, which read as empty (see
    /// <see cref="SellerEarnings"/> for how such a contract's money is still counted).</summary>
    [JsonInclude]
    public IReadOnlyList<SettledPayment> Settlements
    {
        get => _settlements;
        // A file that says null says none.
        private init => _settlements = value ?? [];
    }

    private readonly IReadOnlyList<SettledPayment> _settlements = [];

    /// <summary>Whether every settlement of this contract is in <see cref="Settlements"/>: true for contracts sold by
    /// 0.3.0 and later, absent (false) from older files, whose money <see cref="SellerEarnings"/> reconstructs.</summary>
    [JsonInclude]
    public bool SettlementsRecorded { get; private init; }

    /// <summary>A refresh invoiced and not yet finished.</summary>
    [JsonInclude]
    [JsonPropertyName("Refresh")]
    public PendingRefresh? Refresh { get; private init; }

    /// <summary>Whether its buyer address is in use: leased from the pool while the contract is open or active.</summary>
    [JsonIgnore]
    public bool HoldsAddress => State is SoldContractState.AwaitingPayment or SoldContractState.Active;

    /// <summary>Nothing more will happen to it: expired or cancelled, with no refresh invoice left to cancel. Such a
    /// contract is archived.</summary>
    [JsonIgnore]
    public bool IsFinished => State is SoldContractState.Expired or SoldContractState.Cancelled && Refresh is null;

    /// <summary>When the seller next has something to do for this contract, or null when never again:
    /// at once for an activation recorded but not settled, an applied refresh not yet settled, or a finished
    /// contract whose refresh invoice must still be cancelled; at its claim deadline for an activation or a refresh
    /// awaiting the buyer's claim; otherwise when the purchase's invoice lapses (awaiting payment), or the contract
    /// expires or its refresh invoice lapses, whichever comes first (active).</summary>
    [JsonIgnore]
    public DateTimeOffset? AttentionDueAt => this switch
    {
        { IsFinished: true } => null,
        { Refresh: { Applied: true, AwaitsClaim: true } claimable } => Earliest(Earliest(claimable.ClaimDeadline ?? DateTimeOffset.MinValue, ExpiresAt), ClaimDeadline),
        { Refresh.Applied: true } => DateTimeOffset.MinValue,
        { State: SoldContractState.Expired or SoldContractState.Cancelled } => DateTimeOffset.MinValue,
        { AwaitsClaim: true } => Earliest(ClaimDeadline ?? DateTimeOffset.MinValue, ExpiresAt),
        { State: SoldContractState.Active, InvoiceSettled: false } => DateTimeOffset.MinValue,
        { State: SoldContractState.Active } => Earliest(ExpiresAt ?? DateTimeOffset.MinValue, Refresh?.InvoiceExpiresAt),
        _ => Earliest(QuoteExpiresAt, Refresh?.InvoiceExpiresAt),
    };

    public bool IsDueAt(DateTimeOffset now) => AttentionDueAt <= now;

    /// <summary>Until when the buyer's traffic may pass the seller's firewall, or null when not at all: its expiry,
    /// except that time not yet claimed counts only until its claim deadline (a buyer that never claims is refunded,
    /// so a seller that is down at that deadline must not leave it the tunnel): a purchase awaiting its claim until
    /// the earlier of the two, and a refresh awaiting its claim adds its time only until its own deadline.</summary>
    [JsonIgnore]
    public DateTimeOffset? AccessUntil => this switch
    {
        { State: not SoldContractState.Active } => null,
        { AwaitsClaim: true } => Earliest(ClaimDeadline ?? DateTimeOffset.MinValue, ExpiresAt),
        { Refresh: { Applied: true, AwaitsClaim: true } claimable } => Latest(claimable.PreviousExpiresAt, Earliest(claimable.ClaimDeadline ?? DateTimeOffset.MinValue, ExpiresAt)),
        _ => ExpiresAt,
    };

    /// <summary>A quote the buyer accepted: a hold invoice is issued and the buyer's address leased.</summary>
    public static SoldContract Accepted(
        string id,
        string buyerPubKey,
        long priceSat,
        long durationSeconds,
        string nonce,
        string paymentHash,
        string preimage,
        string paymentRequest,
        string buyerWireGuardKey,
        string sellerWireGuardKey,
        string endpoint,
        string buyerTunnelAddress,
        string sellerTunnelAddress,
        IReadOnlyList<string> allowedIps,
        DateTimeOffset quoteExpiresAt,
        TunnelMode mode = TunnelMode.NodeToNode,
        IReadOnlyList<string>? resolvers = null,
        string? forwardedEndpoint = null) => new()
        {
            Id = id,
            BuyerPubKey = buyerPubKey,
            State = SoldContractState.AwaitingPayment,
            PriceSat = priceSat,
            DurationSeconds = durationSeconds,
            Nonce = nonce,
            PaymentHash = paymentHash,
            Preimage = preimage,
            PaymentRequest = paymentRequest,
            BuyerWireGuardKey = buyerWireGuardKey,
            SellerWireGuardKey = sellerWireGuardKey,
            Endpoint = endpoint,
            BuyerTunnelAddress = buyerTunnelAddress,
            SellerTunnelAddress = sellerTunnelAddress,
            AllowedIps = allowedIps,
            QuoteExpiresAt = quoteExpiresAt,
            Mode = TunnelOfferVocabulary.WireName(mode),
            Resolvers = resolvers ?? [],
            ForwardedEndpoint = forwardedEndpoint,
            SettlementsRecorded = true,
        };

    /// <summary>The payment is held and the peer added: active until <paramref name="expiresAt"/> (whole seconds),
    /// the invoice not yet settled. When the buyer made the preimage, it has until <paramref name="claimDeadline"/>
    /// to claim.</summary>
    public SoldContract Activated(DateTimeOffset expiresAt, DateTimeOffset? claimDeadline = null) => Require(SoldContractState.AwaitingPayment, nameof(Activated)) with
    {
        State = SoldContractState.Active,
        ExpiresAt = WholeSeconds(expiresAt),
        ClaimDeadline = Preimage.Length > 0 ? null : claimDeadline ?? throw new ArgumentNullException(nameof(claimDeadline), "The buyer made the preimage: it needs a claim deadline."),
    };

    /// <summary>The buyer revealed the purchase's preimage (checked against the payment hash by the caller): recorded
    /// before settling, so a seller that dies in between settles on its next round.</summary>
    public SoldContract Claimed(string preimage) => AwaitsClaim
        ? this with { Preimage = preimage.ToLowerInvariant(), ClaimDeadline = null }
        : throw Refused(nameof(Claimed));

    /// <summary>The purchase's invoice is settled (or was found settled): the sale is complete. Recorded as received
    /// at <paramref name="settledAt"/> (now when not given: the store's own times are the wall clock's too).</summary>
    public SoldContract InvoiceWasSettled(DateTimeOffset? settledAt = null) => Require(SoldContractState.Active, nameof(InvoiceWasSettled)) with
    {
        InvoiceSettled = true,
        ClaimDeadline = null,
        Settlements = InvoiceSettled ? Settlements : [.. Settlements, new SettledPayment(SettledPaymentKind.Purchase, PriceSat - (Refresh is { Applied: true } applied ? applied.PriceSat : 0), settledAt ?? DateTimeOffset.UtcNow)],
    };

    /// <summary>Never honoured: unpaid when the quote lapsed, provisioning failed, or an activation recorded before
    /// settling whose invoice was never paid. A refresh invoice still pending stays, to be cancelled.</summary>
    public SoldContract Cancelled() => State == SoldContractState.AwaitingPayment || (State == SoldContractState.Active && !InvoiceSettled)
        ? this with { State = SoldContractState.Cancelled }
        : throw Refused(nameof(Cancelled));

    /// <summary>Its time has run out; a refresh never applied goes with it, and so does one applied but never
    /// claimed, whose price is taken back as when it is withdrawn (either invoice is the caller's to cancel, which
    /// refunds the buyer).</summary>
    public SoldContract Expired() => Require(SoldContractState.Active, nameof(Expired)) with
    {
        State = SoldContractState.Expired,
        PriceSat = Refresh is { Applied: true, AwaitsClaim: true } unclaimed ? PriceSat - unclaimed.PriceSat : PriceSat,
        Refresh = null,
    };

    /// <summary>A refresh invoice issued for more time; it replaces any earlier refresh (whose invoice the caller
    /// has settled or cancelled).</summary>
    public SoldContract WithRefreshInvoice(PendingRefresh refresh) => Require(SoldContractState.Active, nameof(WithRefreshInvoice)) with
    {
        Refresh = refresh,
    };

    /// <summary>The refresh is paid and its time added (to <paramref name="expiresAt"/>, whole seconds); marked
    /// applied so that a restart before its invoice is settled settles it instead of forgetting it. When the buyer
    /// made the refresh's preimage, it has until <paramref name="claimDeadline"/> to claim, or the time is taken back.</summary>
    public SoldContract RefreshApplied(DateTimeOffset expiresAt, DateTimeOffset? claimDeadline = null)
    {
        var refresh = Refresh is { Applied: false } pending ? pending : throw Refused(nameof(RefreshApplied));
        return Require(SoldContractState.Active, nameof(RefreshApplied)) with
        {
            ExpiresAt = WholeSeconds(expiresAt),
            PriceSat = PriceSat + refresh.PriceSat,
            Refresh = refresh.MarkedApplied(ExpiresAt, claimDeadline),
        };
    }

    /// <summary>The buyer revealed the applied refresh's preimage: recorded before settling.</summary>
    public SoldContract RefreshClaimed(string preimage) => Refresh is { Applied: true, AwaitsClaim: true } refresh
        ? this with { Refresh = refresh.WithPreimage(preimage) }
        : throw Refused(nameof(RefreshClaimed));

    /// <summary>An applied refresh the buyer never claimed: its time and price are taken back (its invoice is the
    /// caller's to cancel, which refunds the buyer).</summary>
    public SoldContract RefreshWithdrawn() => Refresh is { Applied: true, AwaitsClaim: true } refresh
        ? this with { ExpiresAt = refresh.PreviousExpiresAt, PriceSat = PriceSat - refresh.PriceSat, Refresh = null }
        : throw Refused(nameof(RefreshWithdrawn));

    /// <summary>The refresh is finished. <paramref name="settled"/>: its invoice was settled (now, or found settled),
    /// recorded as received at <paramref name="settledAt"/> (now when not given); otherwise it was cancelled or never
    /// paid, and nothing is received.</summary>
    public SoldContract RefreshCleared(bool settled, DateTimeOffset? settledAt = null) => this with
    {
        Refresh = null,
        Settlements = settled && Refresh is { Applied: true } applied
            ? [.. Settlements, new SettledPayment(SettledPaymentKind.Refresh, applied.PriceSat, settledAt ?? DateTimeOffset.UtcNow)]
            : Settlements,
    };

    /// <summary>The tunnel as the activate answer gives it to the buyer.</summary>
    public ActivateResponse Tunnel() => new(
        Id,
        SellerWireGuardKey,
        Endpoint,
        BuyerTunnelAddress,
        SellerTunnelAddress,
        AllowedIps,
        ExpiresAt?.ToUnixTimeSeconds() ?? 0,
        Resolvers.Count > 0 ? Resolvers : null,
        ForwardedEndpoint);

    public StatusResponse Status() => new(Id, State.ToString(), ExpiresAt?.ToUnixTimeSeconds() ?? 0);

    SoldContract IStoredContract<SoldContract>.StampedForWriting(DateTimeOffset now) =>
        this with { SchemaVersion = StoreSchema.Current, UpdatedAt = now };

    // The compiler's ToString would print the preimage.
    public override string ToString() =>
        $"Sold contract {Id} ({State}) to {BuyerPubKey[..Math.Min(16, BuyerPubKey.Length)]}…, {PriceSat} sat, expires {ExpiresAt:u}{(Refresh is null ? string.Empty : $", {Refresh}")}";

    // The protocol carries times as Unix seconds; keeping whole seconds here makes both sides' records agree.
    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    private static DateTimeOffset Earliest(DateTimeOffset time, DateTimeOffset? other) => other < time ? other.Value : time;

    private static DateTimeOffset Latest(DateTimeOffset? other, DateTimeOffset time) => other > time ? other.Value : time;

    private SoldContract Require(SoldContractState state, string transition) => State == state ? this : throw Refused(transition);

    private InvalidOperationException Refused(string transition) =>
        new($"Sold contract {Id} is {State}{(Refresh is null ? string.Empty : Refresh.Applied ? " with an applied refresh" : " with a pending refresh")}; {transition} does not follow from there.");

    /// <summary>The seller's refresh invoice: more time for an existing contract, paid like the first purchase.
    /// <see cref="Applied"/> is set when the time has been added and the invoice is about to be settled; the invoice
    /// lapses (and is cancelled) at <see cref="InvoiceExpiresAt"/> when it was never paid.</summary>
    public sealed record PendingRefresh
    {
        public required string PaymentHash { get; init; }

        /// <summary>The refresh invoice's key: secret until settled; empty until the buyer claims when the buyer made
        /// it (version 2).</summary>
        public required string Preimage { get; init; }

        public long DurationSeconds { get; init; }

        public long PriceSat { get; init; }

        public DateTimeOffset InvoiceExpiresAt { get; init; }

        [JsonInclude]
        public bool Applied { get; private init; }

        /// <summary>The contract's expiry before this refresh was applied: what it returns to if never claimed.</summary>
        [JsonInclude]
        public DateTimeOffset? PreviousExpiresAt { get; private init; }

        /// <summary>Applied and awaiting the buyer's claim until then (version 2).</summary>
        [JsonInclude]
        public DateTimeOffset? ClaimDeadline { get; private init; }

        [JsonIgnore]
        public bool AwaitsClaim => Preimage.Length == 0;

        internal PendingRefresh MarkedApplied(DateTimeOffset? previousExpiresAt, DateTimeOffset? claimDeadline) => this with
        {
            Applied = true,
            PreviousExpiresAt = previousExpiresAt,
            ClaimDeadline = !AwaitsClaim ? null : claimDeadline ?? throw new ArgumentNullException(nameof(claimDeadline), "The buyer made the preimage: it needs a claim deadline."),
        };

        internal PendingRefresh WithPreimage(string preimage) => this with { Preimage = preimage.ToLowerInvariant(), ClaimDeadline = null };

        // The preimage is the seller's secret until it settles: keep it out of the compiler's ToString.
        public override string ToString() =>
            $"Refresh {PaymentHash[..Math.Min(16, PaymentHash.Length)]}… +{DurationSeconds} s for {PriceSat} sat{(Applied ? ", applied" : string.Empty)}";
    }
}
