using System.Globalization;

namespace ImpVpn.Core.Buying;

/// <summary>
/// The most a payment may cost, decided before it is made. A purchase pays at most the price the buyer was quoted (the
/// seller's invoice must ask exactly that) and never more than a maximum the buyer gives. A refresh pays at most
/// the contract's own price per hour, that is its original price scaled to the duration asked for (rounded up to
/// the next sat), unless the buyer gives a maximum, which then replaces it: a seller that raises its prices cannot
/// take more than the buyer first agreed to without being told so. A scheduled run spends at most a total budget,
/// given or configured; without one it does not start.
/// </summary>
public static class PaymentCeiling
{
    /// <summary>Where a scheduled run's default budget is configured when none is given: an environment variable
    /// holding a whole number of sat, so a crontab line, a systemd unit (Environment=) or a user's profile can set it.</summary>
    public const string BudgetVariable = "IMPVPN_REFRESH_BUDGET_SAT";

    /// <summary>The most a payment of <paramref name="priceSat"/> with a routing-fee limit of <paramref name="feeLimitSat"/>
    /// may cost: their sum, or <see cref="long.MaxValue"/> where the sum does not fit. Every confirmation threshold and
    /// budget compares against this: an unchecked sum of a huge maximum wraps negative, and a negative "most" passes
    /// any threshold without asking.</summary>
    public static long MostCostSat(long priceSat, long feeLimitSat) =>
        (long)Int128.Clamp((Int128)priceSat + feeLimitSat, long.MinValue, long.MaxValue);

    /// <summary>Refuses a purchase price above the buyer's maximum (the quote's own price is the ceiling otherwise,
    /// enforced by the invoice check).</summary>
    /// <param name="what">what is being paid, for the message ("The seller asks 500 sat").</param>
    public static void RequirePurchase(long priceSat, BuyerOptions options, string what)
    {
        if (options.MaxPriceSat is { } max && priceSat > max)
        {
            throw new PurchaseException(PurchaseError.PriceAboveMaximum, $"{what}; the most you allowed is {max} sat. Nothing was paid.");
        }
    }

    /// <summary>The most a refresh of <paramref name="contract"/> for <paramref name="duration"/> may cost:
    /// <paramref name="maxPriceSat"/> when given, else the contract's price scaled to the duration; null when the
    /// contract has no price per hour to scale (nothing may be paid without a maximum then).</summary>
    public static long? RefreshCeilingSat(BoughtContract contract, TimeSpan duration, long? maxPriceSat)
    {
        if (maxPriceSat is { } max)
        {
            return max;
        }

        var price = contract.PurchasePriceSat ?? contract.PriceSat;
        if (price <= 0 || contract.DurationSeconds <= 0)
        {
            return null;
        }

        var scaled = ((Int128)price * (long)duration.TotalSeconds + contract.DurationSeconds - 1) / contract.DurationSeconds;
        return scaled > long.MaxValue ? long.MaxValue : (long)scaled;
    }

    /// <summary>Refuses a refresh whose price is above its ceiling (<see cref="RefreshCeilingSat"/>) or above what
    /// is left of a scheduled run's budget.</summary>
    public static void RequireRefresh(BoughtContract contract, TimeSpan duration, long priceSat, BuyerOptions options)
    {
        var ceiling = RefreshCeilingSat(contract, duration, options.MaxPriceSat);
        if (ceiling is null || priceSat > ceiling)
        {
            var limit = options.MaxPriceSat is { } max
                ? $"the most allowed is {max} sat"
                : ceiling is { } scaled
                    ? $"the contract's own price ({contract.PurchasePriceSat ?? contract.PriceSat} sat for {TimeSpan.FromSeconds(contract.DurationSeconds)}) allows {scaled} sat for {duration}"
                    : "the contract has no price to scale and no maximum was given";
            throw new PurchaseException(PurchaseError.PriceAboveMaximum,
                $"The refresh of {contract.Id} costs {priceSat} sat; {limit}. Nothing was paid.", contractId: contract.Id, kind: PaymentKind.Refresh);
        }

        if (options.MaxTotalSat is { } total && priceSat > total)
        {
            throw new PurchaseException(PurchaseError.BudgetExhausted,
                $"The refresh of {contract.Id} costs {priceSat} sat; {total} sat of the budget is left. Nothing was paid.", contractId: contract.Id, kind: PaymentKind.Refresh);
        }
    }

    /// <summary>A scheduled run's budget: <paramref name="totalBudgetSat"/> when given, else the one configured in
    /// <see cref="BudgetVariable"/>; refused (<see cref="PurchaseError.BudgetRequired"/>) when there is neither.</summary>
    public static RefreshBudget RunBudget(long? totalBudgetSat) =>
        RunBudget(totalBudgetSat, Environment.GetEnvironmentVariable(BudgetVariable));

    /// <param name="configured">the configured default's text (the environment variable's value), or null.</param>
    public static RefreshBudget RunBudget(long? totalBudgetSat, string? configured)
    {
        if (totalBudgetSat is { } given)
        {
            return new RefreshBudget(given);
        }

        if (string.IsNullOrEmpty(configured))
        {
            throw new PurchaseException(PurchaseError.BudgetRequired,
                $"A scheduled run needs a total budget, given or configured in the environment variable {BudgetVariable}; none is set, so nothing was refreshed or paid.");
        }

        if (!long.TryParse(configured, NumberStyles.None, CultureInfo.InvariantCulture, out var budget) || budget < 1)
        {
            throw new PurchaseException(PurchaseError.BudgetRequired,
                $"The environment variable {BudgetVariable} must hold a whole number of sat (1 or more), not '{SellerAnswerCheck.Printable(configured).Trim('\'')}'; nothing was refreshed or paid.");
        }

        return new RefreshBudget(budget);
    }

    /// <summary>Refuses a scheduled run whose budget has no total: such a run could spend without bound.</summary>
    public static void RequireRunBudget(RefreshBudget budget)
    {
        if (budget.TotalSat is null)
        {
            throw new PurchaseException(PurchaseError.BudgetRequired, "A scheduled run needs a total budget; nothing was refreshed or paid.");
        }
    }
}
