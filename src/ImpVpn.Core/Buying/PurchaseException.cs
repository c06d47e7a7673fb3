namespace ImpVpn.Core.Buying;

/// <summary>Why a purchase, refresh or removal did not go through on the buyer's side. Raised before any money
/// moves, unless <see cref="MoneyMoved"/> says the payment went through (then <see cref="ContractId"/> names the
/// recorded contract that holds its proof, so the user can finish what failed).</summary>
public sealed class PurchaseException(
    PurchaseError error, string message, Exception? inner = null, string? contractId = null, bool moneyMoved = false, PaymentKind kind = PaymentKind.Purchase)
    : Exception(message, inner)
{
    public PurchaseError Error { get; } = error;

    public string? ContractId { get; } = contractId;

    /// <summary>The payment went through (settled): the contract holds its proof, and what failed is to be finished,
    /// never paid again.</summary>
    public bool MoneyMoved { get; } = moneyMoved;

    /// <summary>Whether the payment concerned was the purchase or a refresh, so the caller knows what finishes it.</summary>
    public PaymentKind Kind { get; } = kind;

    /// <summary>For <see cref="PurchaseError.DurationNotSold"/> found in the seller's offer: the shortest and longest
    /// durations it sells, so a caller can say them or choose within them.</summary>
    public (TimeSpan Shortest, TimeSpan Longest)? SoldDurations { get; init; }
}

public enum PaymentKind
{
    Purchase,
    Refresh,
}

public enum PurchaseError
{
    PriceAboveMaximum,
    QuoteExpired,
    InvoiceMismatch,
    SellerRefused,
    SellerUnreachable,
    PaymentFailed,
    ActivationFailed,

    /// <summary>The payment was made or may still complete, but the step after it did not finish (the seller's answer was
    /// lost, the payment did not start in time): running the same purchase or refresh again finishes it.</summary>
    PaymentUnfinished,

    /// <summary>The seller said something this machine must not use (an address that is its own, a route wider than
    /// the seller's tunnel address, an endpoint on loopback, a malformed key): nothing of it was installed.</summary>
    SellerAnswerRefused,

    /// <summary>Paid and recorded, but the tunnel's interface could not be set up on this machine.</summary>
    TunnelSetupFailed,

    /// <summary>The seller's tunnel did not work (no handshake, or no answer through it): the preimage was not
    /// revealed, so the seller cannot take the payment, which returns when the seller cancels its hold invoice.</summary>
    TunnelCheckFailed,

    /// <summary>Removing a tunnel that still has paid time left, without saying so.</summary>
    TunnelStillActive,

    /// <summary>Removing a tunnel whose purchase or refresh payment may be under way: it must be finished first.</summary>
    PaymentUnderWay,

    /// <summary>Using a tunnel that was removed from this machine (its private key is gone).</summary>
    TunnelRemoved,

    /// <summary>A scheduled run's budget is spent.</summary>
    BudgetExhausted,

    /// <summary>A route probe before paying found no route to the seller where it is certain (the node's channels
    /// cannot send the amount, or one of them could send it all and still no route was found): nothing was paid.</summary>
    NoRoute,

    /// <summary>A scheduled run was started with no total budget, given or configured: it would spend without bound.</summary>
    BudgetRequired,

    /// <summary>The seller does not sell the mode or address family asked for; its message names what it sells.
    /// Nothing was accepted or paid.</summary>
    OfferNotSold,

    /// <summary>The quote is for a mode or address family this version of ImpVpn cannot set up on the buyer's
    /// machine (only node-to-node, IPv4 or IPv6, so far): refused before anything was accepted or paid.</summary>
    OfferNotSupported,

    /// <summary>The seller does not sell the duration asked for; its message names the durations it sells. Nothing
    /// was accepted or paid.</summary>
    DurationNotSold,
}
