namespace ImpVpn.Core.Lightning;

// Plain data carried across ILightningNode. Amounts are in satoshis unless the name says msat.

public sealed record NodeInfo(
    string IdentityPubKey,
    string Alias,
    string Network,
    bool SyncedToChain,
    bool SyncedToGraph,
    uint BlockHeight,
    int ActiveChannels,
    IReadOnlyList<string> Uris,
    string Version);

public sealed record PeerInfo(string PubKey, string Address, bool Inbound);

public sealed record GraphNodeInfo(string PubKey, string Alias, IReadOnlyList<string> Addresses, int ChannelCount);

/// <summary>A node of the graph as its announcement reached this node: alias, addresses, and the feature bits it
/// advertises.</summary>
public sealed record GraphNode(string PubKey, string Alias, IReadOnlyList<string> Addresses, IReadOnlySet<uint> FeatureBits);

public sealed record CustomMessage(string PeerPubKey, uint Type, byte[] Data);

public sealed record HoldInvoiceRequest(
    byte[] PaymentHash,
    long AmountSat,
    string? Memo = null,
    byte[]? DescriptionHash = null,
    long ExpirySeconds = 3600,
    ulong CltvExpiry = 0,
    bool Private = false);

/// <summary>One of the node's channels as ListChannels reports it: whom it is with, whether it is up, whether it
/// is private (unannounced: payers find it only through an invoice's route hints), and what this node could send
/// through it (its local balance above the reserve it must keep; 0 where not known).</summary>
public sealed record ChannelSummary(string RemotePubKey, bool Active, bool Private, long CapacitySat, long SpendableSat = 0);

/// <summary>What the node's router expects a payment to cost: the routing fee and the time lock of the route a probe
/// found (Router.EstimateRouteFee). <see cref="FailureReason"/> is <see cref="PaymentFailureReason.None"/> when a
/// route was found; otherwise the probe's failure (no route, insufficient balance, timeout) and the fee is 0.</summary>
public sealed record RouteFeeEstimate(long RoutingFeeMsat, long TimeLockDelay, PaymentFailureReason FailureReason)
{
    public bool RouteFound => FailureReason == PaymentFailureReason.None;

    /// <summary>The fee in whole sat, rounded up: what a limit in sat must allow.</summary>
    public long RoutingFeeSat => (RoutingFeeMsat + 999) / 1000;
}

/// <summary>What to probe: a BOLT11 invoice (probe payments along real routes, with the invoice's route hints) or a
/// destination and amount (a route computed from the node's own graph, nothing sent). <see cref="Timeout"/> bounds an
/// invoice probe.</summary>
public sealed record RouteFeeQuery(string? PaymentRequest, string? Destination, long AmountSat, TimeSpan Timeout)
{
    public static RouteFeeQuery ForInvoice(string paymentRequest, TimeSpan timeout) => new(paymentRequest, null, 0, timeout);

    public static RouteFeeQuery ForDestination(string pubKey, long amountSat) => new(null, pubKey, amountSat, TimeSpan.Zero);
}

public sealed record CreatedInvoice(string PaymentRequest, byte[] PaymentHash, ulong AddIndex);

/// <summary>LND's InvoiceState values (OPEN=0, SETTLED=1, CANCELED=2, ACCEPTED=3).</summary>
public enum InvoiceState
{
    Open = 0,
    Settled = 1,
    Canceled = 2,
    Accepted = 3,
}

public sealed record InvoiceInfo(
    byte[] PaymentHash,
    InvoiceState State,
    long ValueSat,
    long AmountPaidMsat,
    string PaymentRequest,
    string Memo,
    byte[] DescriptionHash,
    DateTimeOffset CreationDate,
    long ExpirySeconds,
    DateTimeOffset? SettleDate);

public sealed record DecodedPaymentRequest(
    string Destination,
    byte[] PaymentHash,
    long AmountSat,
    long AmountMsat,
    DateTimeOffset Timestamp,
    long ExpirySeconds,
    string Description,
    byte[] DescriptionHash,
    long CltvExpiry)
{
    public DateTimeOffset ExpiresAt => Timestamp.AddSeconds(ExpirySeconds);
}

/// <summary>What to pay: a BOLT11 invoice, a hard fee ceiling, how long the router may try, and the most blocks the
/// payment's route may lock the money for (LND's cltv_limit; 0 leaves LND's own maximum).</summary>
public sealed record PaymentOrder(string PaymentRequest, long FeeLimitSat, TimeSpan Timeout, int CltvLimit = 0);

/// <summary>LND's PaymentStatus values (UNKNOWN=0 IN_FLIGHT=1 SUCCEEDED=2 FAILED=3 INITIATED=4).</summary>
public enum PaymentStatus
{
    Unknown = 0,
    InFlight = 1,
    Succeeded = 2,
    Failed = 3,
    Initiated = 4,
}

/// <summary>LND's PaymentFailureReason values.</summary>
public enum PaymentFailureReason
{
    None = 0,
    Timeout = 1,
    NoRoute = 2,
    Error = 3,
    IncorrectPaymentDetails = 4,
    InsufficientBalance = 5,
    Canceled = 6,
}

/// <summary>A payment's state. Preimage is a secret-ish proof of payment: never log it.</summary>
public sealed record PaymentResult(
    byte[] PaymentHash,
    PaymentStatus Status,
    PaymentFailureReason FailureReason,
    long ValueSat,
    long FeeSat,
    byte[]? Preimage);
