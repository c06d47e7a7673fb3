namespace ImpVpn.Core.Buying;

/// <summary>Limits the buyer sets on one purchase or refresh.</summary>
public sealed record BuyerOptions
{
    /// <summary>Refuse any price above this (sat). Null: a purchase pays the quoted price, a refresh at most the
    /// contract's own price scaled to the duration (see <see cref="PaymentCeiling"/>).</summary>
    public long? MaxPriceSat { get; init; }

    /// <summary>What the payment may cost at most, price and routing fee together (sat): what is left of a scheduled
    /// run's budget. Null: no such total. The fee limit shrinks to fit, so a price equal to what is left is still paid
    /// where it costs no fee.</summary>
    public long? MaxTotalSat { get; init; }

    /// <summary>The routing fee a payment may cost at most (sat), whatever its amount. Null: the default that grows
    /// with the amount (<see cref="RoutingFeeLimit"/>: 1%, at least 10 sat).</summary>
    public long? MaxRoutingFeeSat { get; init; }

    /// <summary>The routing-fee limit for paying <paramref name="amountSat"/>.</summary>
    public long FeeLimitFor(long amountSat) => RoutingFeeLimit.For(amountSat, MaxRoutingFeeSat);

    /// <summary>The longest final CLTV delta (blocks) a seller's invoice may ask; a longer one is refused before
    /// paying (<see cref="InvoiceCheck"/>). A hold invoice keeps the money in flight until settled or cancelled, and
    /// a long final CLTV lets a seller that does neither keep it locked that much longer.</summary>
    public long MaxFinalCltvExpiry { get; init; } = InvoiceCheck.DefaultMaxFinalCltvExpiry;

    /// <summary>How long the buyer keeps asking the seller to activate while its payment is in flight but not yet
    /// held by the seller (its parts still on their way); it stops earlier when the payment fails. The seller cancels
    /// an unpaid invoice after its quote lifetime (5 minutes by default), which fails the payment: this bound is that.</summary>
    public TimeSpan ActivationWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a route probe before paying may take (Router.EstimateRouteFee's timeout).</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Skip interface set-up and only record the tunnel's configuration.</summary>
    public bool ConfigOnly { get; init; }

    /// <summary>How long to wait for the seller's replies.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for the first WireGuard handshake after set-up.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The machine a seller's answer is checked against (its addresses, routes and name resolution): the
    /// one this runs on unless a test gives another.</summary>
    public ILocalNetwork Network { get; init; } = ThisMachineNetwork.Instance;
}
