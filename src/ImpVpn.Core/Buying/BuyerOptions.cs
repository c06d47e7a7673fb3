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

    /// <summary>The routing-fee limit for paying <paramref name="amountSat"/> within <see cref="MaxTotalSat"/>: shrunk
    /// so that the amount and the fee together fit what is left (never below 0).</summary>
    public long FeeLimitWithinTotal(long amountSat) => MaxTotalSat is { } left
        ? Math.Clamp(left - amountSat, 0, FeeLimitFor(amountSat))
        : FeeLimitFor(amountSat);

    /// <summary>The longest final CLTV delta (blocks) a seller's invoice may ask; a longer one is refused before
    /// paying (<see cref="InvoiceCheck"/>). A hold invoice keeps the money in flight until settled or cancelled, and
    /// a long final CLTV lets a seller that does neither keep it locked that much longer.</summary>
    public long MaxFinalCltvExpiry { get; init; } = InvoiceCheck.DefaultMaxFinalCltvExpiry;

    /// <summary>How long the buyer keeps asking the seller to activate while its payment is in flight but not yet
    /// held by the seller (its parts still on their way); it stops earlier when the payment fails. Past it the
    /// purchase or refresh ends as <see cref="PurchaseError.PaymentUnfinished"/>, recorded: running the command again
    /// finishes it without paying twice.</summary>
    /// <remarks>Why 90 s: the payment's own timeout is 60 s (no new attempt after it), so parts still on their way
    /// then arrive or fail soon after; waiting longer rarely helps. And the whole purchase runs under the store's
    /// lock, which another run waits for at most <see cref="BoughtContracts.LockWait"/> (5 minutes): an accept (30 s
    /// reply timeout), the route probe (30 s), the payment starting (up to 60 s), this wait (90 s), the tunnel's check
    /// (15 s) and the claim (30 s), with the reply timeout of an activate still under way when this wait ends (30 s),
    /// add up to 4 min 45 s, under it. It was 5 minutes, and a run waiting for the lock
    /// gave up while a slow purchase still held it.</remarks>
    public TimeSpan ActivationWait { get; init; } = TimeSpan.FromSeconds(90);

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

    /// <summary>An exit's full tunnel: the kill switch, and the Lightning node's p2p port kept outside the tunnel.</summary>
    public FullTunnelOptions FullTunnel { get; init; } = new();
}
