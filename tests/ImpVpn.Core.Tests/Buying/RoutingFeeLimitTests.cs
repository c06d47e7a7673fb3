using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>The routing-fee limit: 1% of the amount rounded up, at least 10 sat, unless the buyer sets its own; and
/// the final-CLTV bound a buyer may set.</summary>
public sealed class RoutingFeeLimitTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(600, 10)]
    [InlineData(1_000, 10)]
    [InlineData(1_001, 11)]
    [InlineData(5_000, 50)]
    [InlineData(100_000, 1_000)]
    [InlineData(long.MaxValue, 92_233_720_368_547_759)]
    public void The_default_is_one_percent_rounded_up_with_a_floor_of_ten_sat(long amount, long limit) =>
        Assert.Equal(limit, RoutingFeeLimit.DefaultFor(amount));

    [Fact]
    public void The_buyers_own_limit_replaces_the_default_higher_or_lower()
    {
        Assert.Equal(3, new BuyerOptions { MaxRoutingFeeSat = 3 }.FeeLimitFor(100_000));
        Assert.Equal(500, new BuyerOptions { MaxRoutingFeeSat = 500 }.FeeLimitFor(600));
        Assert.Equal(0, new BuyerOptions { MaxRoutingFeeSat = 0 }.FeeLimitFor(600));
        Assert.Equal(1_000, new BuyerOptions().FeeLimitFor(100_000));
    }

    [Fact]
    public void An_invoice_asking_more_final_cltv_than_the_buyers_bound_is_refused_before_paying()
    {
        var hash = new byte[32];
        var invoice = new DecodedPaymentRequest("02" + new string('a', 64), hash, 500, 500_000, DateTimeOffset.UtcNow, 600, string.Empty, [1], 80);
        var hashHex = Convert.ToHexString(hash);

        InvoiceCheck.Require(invoice, invoice.Destination, 500, [1], hashHex, DateTimeOffset.UtcNow);
        var error = Assert.Throws<PurchaseException>(() =>
            InvoiceCheck.Require(invoice, invoice.Destination, 500, [1], hashHex, DateTimeOffset.UtcNow, new BuyerOptions { MaxFinalCltvExpiry = 40 }.MaxFinalCltvExpiry));

        Assert.Equal(PurchaseError.InvoiceMismatch, error.Error);
        Assert.Contains("final CLTV of 80 blocks; at most 40", error.Message);
        Assert.Equal(288, new BuyerOptions().MaxFinalCltvExpiry);
    }
}
