using ImpVpn.Core.WireGuard;

namespace ImpVpn.Core.Seller;

/// <summary>How a seller runs: what it charges, which addresses it hands out, where buyers reach its WireGuard.</summary>
public sealed record ProviderOptions
{
    public required string InterfaceName { get; init; }

    /// <summary>host:port buyers send WireGuard packets to.</summary>
    public required string Endpoint { get; init; }

    public int ListenPort { get; init; } = 51820;

    public IpPrefix Subnet { get; init; } = IpPrefix.Parse("10.77.0.0/24");

    public Pricing Pricing { get; init; } = Pricing.Default;

    public TimeSpan QuoteLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Quotes per peer per minute before the seller answers "rate limited".</summary>
    public int QuotesPerPeerPerMinute { get; init; } = 30;

    /// <summary>Contracts accepted but not yet paid, at most.</summary>
    public int MaxOpenContracts { get; init; } = 100;

    public int MaxActiveContracts { get; init; } = 1000;

    /// <summary>How often expiry is checked.</summary>
    public TimeSpan ExpiryCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Issue invoices and keep contracts but touch no interface (for hosts where WireGuard is set up elsewhere).</summary>
    public bool ConfigOnly { get; init; }
}
