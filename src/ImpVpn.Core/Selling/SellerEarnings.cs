namespace ImpVpn.Core.Selling;

/// <summary>What one UTC day brought in: the purchases and refreshes settled that day, and their sum.</summary>
public sealed record DailyEarning(DateOnly Date, int Contracts, int Refreshes, long ReceivedSat);

/// <summary>
/// What a seller has received: only settled hold invoices count (a held one can still be cancelled, refunding the
/// buyer), each on the UTC day it was settled. A contract written before settlements were recorded (before 0.3.0)
/// has its settled money counted as one purchase on the day it was created: the day it was settled is not known, and
/// a purchase is settled within minutes of its creation, though its refreshes may have come later.
/// </summary>
public static class SellerEarnings
{
    /// <summary>The payments settled for <paramref name="contract"/>, including what an older version settled
    /// without recording it.</summary>
    public static IReadOnlyList<SettledPayment> Received(SoldContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        if (contract.SettlementsRecorded)
        {
            // Sold by 0.3.0 or later: what is recorded is all there is; a price that differs (time taken back from a
            // refresh never claimed) was never received.
            return contract.Settlements;
        }

        var recorded = contract.Settlements.Sum(p => p.PriceSat);
        // PriceSat counts the purchase and every applied refresh; an applied refresh still unsettled is not received.
        var settledTotal = contract.InvoiceSettled
            ? contract.PriceSat - (contract.Refresh is { Applied: true } applied ? applied.PriceSat : 0)
            : recorded;
        var unrecorded = settledTotal - recorded;
        return unrecorded > 0
            ? [new SettledPayment(SettledPaymentKind.Purchase, unrecorded, contract.CreatedAt), .. contract.Settlements]
            : contract.Settlements;
    }

    /// <summary>Sat received for <paramref name="contract"/>.</summary>
    public static long ReceivedSat(SoldContract contract) => Received(contract).Sum(p => p.PriceSat);

    /// <summary>One entry per UTC day on which something was settled, oldest first, within
    /// [<paramref name="since"/>, <paramref name="until"/>) when given.</summary>
    public static IReadOnlyList<DailyEarning> ByDay(IEnumerable<SoldContract> contracts, DateTimeOffset? since = null, DateTimeOffset? until = null) =>
        contracts
            .SelectMany(Received)
            .Where(p => (since is null || p.SettledAt >= since) && (until is null || p.SettledAt < until))
            .GroupBy(p => DateOnly.FromDateTime(p.SettledAt.UtcDateTime))
            .OrderBy(day => day.Key)
            .Select(day => new DailyEarning(
                day.Key,
                day.Count(p => p.Kind == SettledPaymentKind.Purchase),
                day.Count(p => p.Kind == SettledPaymentKind.Refresh),
                day.Sum(p => p.PriceSat)))
            .ToList();
}
