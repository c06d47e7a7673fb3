namespace ImpVpn.Core.Buyer;

/// <summary>Why a purchase or refresh was refused on the buyer's side. Every one of these is raised before any
/// money moves, unless <see cref="MoneyMoved"/> says otherwise.</summary>
public sealed class PurchaseException(PurchaseError error, string message, Exception? inner = null, bool moneyMoved = false)
    : Exception(message, inner)
{
    public PurchaseError Error { get; } = error;

    public bool MoneyMoved { get; } = moneyMoved;
}

public enum PurchaseError
{
    PriceAboveMaximum,
    QuoteExpired,
    InvoiceMismatch,
    SellerRefused,
    SellerUnreachable,
    PaymentFailed,
    UnknownContract,
    ActivationFailed,

    /// <summary>Removing a tunnel that still has paid time left, without saying so (-Force).</summary>
    TunnelStillActive,

    /// <summary>Removing a tunnel whose purchase or refresh payment may be under way: it must be finished first.</summary>
    PaymentUnderWay,

    /// <summary>Using a tunnel that was removed from this machine (its private key is gone).</summary>
    TunnelRemoved,
}
