namespace ImpVpn.Core.Selling;

/// <summary>Which of a contract's hold invoices was settled.</summary>
public enum SettledPaymentKind
{
    Purchase,
    Refresh,
}

/// <summary>One hold invoice a seller settled: money received, and when. Only a settled invoice is money received; a
/// held one can still be cancelled (refunding the buyer), so it is never recorded here.</summary>
public sealed record SettledPayment(SettledPaymentKind Kind, long PriceSat, DateTimeOffset SettledAt);
