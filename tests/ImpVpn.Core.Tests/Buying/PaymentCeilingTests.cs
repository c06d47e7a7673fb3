using ImpVpn.Core.Buying;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>What a payment may cost at most, decided before it is made.</summary>
public sealed class PaymentCeilingTests
{
    // 1,000 sat for an hour, as bought.
    private static readonly BoughtContract Bought = BoughtContractTests.Active(DateTimeOffset.UtcNow.AddHours(1));

    [Theory]
    [InlineData(3600, 1_000)]
    [InlineData(1800, 500)]
    [InlineData(7200, 2_000)]
    [InlineData(1, 1)]
    [InlineData(5, 2)]
    public void A_refresh_may_cost_the_contracts_price_scaled_to_the_duration_rounded_up(long seconds, long ceiling)
    {
        Assert.Equal(ceiling, PaymentCeiling.RefreshCeilingSat(Bought, TimeSpan.FromSeconds(seconds), maxPriceSat: null));
    }

    [Fact]
    public void A_seller_that_raised_its_price_a_hundredfold_is_refused_before_paying()
    {
        var error = Assert.Throws<PurchaseException>(() => PaymentCeiling.RequireRefresh(Bought, TimeSpan.FromHours(1), 100_000, new BuyerOptions()));

        Assert.Equal(PurchaseError.PriceAboveMaximum, error.Error);
        Assert.Equal(PaymentKind.Refresh, error.Kind);
        Assert.Contains("allows 1000 sat", error.Message);
        Assert.Contains("Nothing was paid", error.Message);
    }

    [Fact]
    public void A_maximum_given_replaces_the_contracts_price_either_way()
    {
        PaymentCeiling.RequireRefresh(Bought, TimeSpan.FromHours(1), 1_500, new BuyerOptions { MaxPriceSat = 2_000 });
        Assert.Throws<PurchaseException>(() => PaymentCeiling.RequireRefresh(Bought, TimeSpan.FromHours(1), 900, new BuyerOptions { MaxPriceSat = 800 }));
    }

    [Fact]
    public void Refreshes_already_paid_do_not_raise_the_ceiling()
    {
        // PriceSat adds up every refresh; the ceiling is scaled from the purchase's own price.
        var refreshedTwice = Bought with { PriceSat = 3_000 };

        Assert.Equal(1_000, PaymentCeiling.RefreshCeilingSat(refreshedTwice, TimeSpan.FromHours(1), null));
    }

    [Fact]
    public void A_refresh_above_what_is_left_of_the_budget_is_refused()
    {
        var error = Assert.Throws<PurchaseException>(() => PaymentCeiling.RequireRefresh(Bought, TimeSpan.FromHours(1), 1_000, new BuyerOptions { MaxTotalSat = 999 }));

        Assert.Equal(PurchaseError.BudgetExhausted, error.Error);
    }

    [Fact]
    public void A_purchase_above_the_maximum_is_refused()
    {
        PaymentCeiling.RequirePurchase(1_000, new BuyerOptions(), "The seller asks 1000 sat");
        var error = Assert.Throws<PurchaseException>(() => PaymentCeiling.RequirePurchase(1_000, new BuyerOptions { MaxPriceSat = 999 }, "The seller asks 1000 sat"));

        Assert.Equal(PurchaseError.PriceAboveMaximum, error.Error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1e6")]
    public void A_scheduled_run_without_a_budget_does_not_start(string? configured)
    {
        var error = Assert.Throws<PurchaseException>(() => PaymentCeiling.RunBudget(null, configured));

        Assert.Equal(PurchaseError.BudgetRequired, error.Error);
        Assert.Contains(PaymentCeiling.BudgetVariable, error.Message);
    }

    [Fact]
    public void A_budget_given_wins_over_the_configured_one()
    {
        Assert.Equal(500, PaymentCeiling.RunBudget(500, "20000").TotalSat);
        Assert.Equal(20_000, PaymentCeiling.RunBudget(null, "20000").TotalSat);
    }

    [Fact]
    public async Task A_scheduled_run_given_no_total_refuses_before_reading_anything()
    {
        var error = await Assert.ThrowsAsync<PurchaseException>(() =>
            new ScheduledRefresh(null!, null!, Core.Diagnostics.NullProgressLog.Instance)
                .RunAsync([Bought], TimeSpan.FromHours(1), TimeSpan.FromHours(1), new RefreshBudget(null), new BuyerOptions(), CancellationToken.None));

        Assert.Equal(PurchaseError.BudgetRequired, error.Error);
    }
}
