namespace ImpVpn.Core.Buying;

/// <summary>
/// The routing fee a payment may cost at most, unless the buyer sets its own: 1% of the amount (rounded up), and
/// never less than 10 sat.
/// </summary>
/// <remarks>
/// Why these figures. LND's own default (lnwallet.DefaultRoutingFeeLimitForAmount, used by lncli and by
/// SendPaymentV2 callers that set no limit) allows 100% of the amount up to 1,000 sat and 5% above: made for any
/// payment, including one-off tiny ones where a base fee of 1 sat per hop is all of the amount. A VPN buyer pays
/// the same seller again and again, unattended (scheduled refreshes), so a tighter proportion matters more here than
/// reaching every last route: 1% covers a route of three to five hops at the fee rates most nodes charge (100 to
/// 2,000 ppm each, a few tenths of a percent in all), and the 10 sat floor covers their base fees (1 sat a hop by
/// default) on small amounts, where a proportion alone would allow nothing. It is the fixed limit this module used
/// before for prices up to 1,000 sat, and grows with the price above that, where a fixed 10 sat left larger
/// purchases without a route. A buyer who wants more or less sets it (<see cref="BuyerOptions.MaxRoutingFeeSat"/>),
/// and the route probe (<see cref="RouteProbe"/>) tells before paying whether the route found fits.
/// </remarks>
public static class RoutingFeeLimit
{
    /// <summary>The least the default allows, in sat: the base fees of a few hops.</summary>
    public const long FloorSat = 10;

    /// <summary>The default's proportion of the amount, in parts per million (10,000 ppm = 1%).</summary>
    public const long ProportionPpm = 10_000;

    /// <summary>The default limit for paying <paramref name="amountSat"/>.</summary>
    public static long DefaultFor(long amountSat)
    {
        var proportional = ((Int128)Math.Max(0, amountSat) * ProportionPpm + 999_999) / 1_000_000;
        return (long)Int128.Max(FloorSat, proportional);
    }

    /// <summary>The limit for paying <paramref name="amountSat"/>: the buyer's own (<paramref name="maxRoutingFeeSat"/>)
    /// when given, else <see cref="DefaultFor"/>.</summary>
    public static long For(long amountSat, long? maxRoutingFeeSat) => maxRoutingFeeSat ?? DefaultFor(amountSat);
}
