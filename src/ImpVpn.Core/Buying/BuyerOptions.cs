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

    /// <summary>The routing fee the payment may cost at most (sat).</summary>
    public long FeeLimitSat { get; init; } = 10;

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
