using ImpVpn.Core.Buying;

namespace ImpVpn.Core.Tests.Realistic;

/// <summary>How one purchase or refresh of the matrix ended, once settled: what the buyer was told, what its node
/// paid, and what it was allowed to pay.</summary>
internal sealed record MatrixOutcome(
    string Operation,
    int Hops,
    MatrixFault Fault,
    PurchaseError? Error,
    string? ErrorMessage,
    bool Resumed,
    long PriceSat,
    long FeeCapSat,
    int SucceededPayments,
    long PaidSat,
    long FeeSat,
    bool Refunded,
    bool Struck,
    TimeSpan Took)
{
    public bool Succeeded => Error is null;

    /// <summary>Why this outcome breaks the matrix's rules, or null: it succeeded with exactly one payment no larger
    /// than its price plus the fee cap, or it failed with an error and nothing paid (its payment refunded).</summary>
    public string? Violation() =>
        !Struck ? $"the fault {Fault} never struck"
        : SucceededPayments > 1 ? $"paid {SucceededPayments} times"
        : PaidSat > PriceSat ? $"paid {PaidSat} sat for a price of {PriceSat}"
        : FeeSat > FeeCapSat ? $"a routing fee of {FeeSat} sat above the cap of {FeeCapSat}"
        : Succeeded && SucceededPayments != 1 ? "reported success without a payment"
        : !Succeeded && SucceededPayments != 0 ? $"failed ({Error}) after its payment succeeded"
        : !Succeeded && !Refunded ? $"failed ({Error}) and its payment is still held"
        : null;
}
