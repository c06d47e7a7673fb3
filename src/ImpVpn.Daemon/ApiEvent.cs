namespace ImpVpn.Daemon;

/// <summary>One asynchronous result of the seed's methods (or an expiry), as the event log keeps it and
/// VpnExtras.SubscribeEvents / ListEvents send it. <see cref="Id"/> is the id the method returned.</summary>
internal sealed record ApiEvent
{
    public const string QuoteReceived = "quote_received";
    public const string ContractPaid = "contract_paid";
    public const string Refreshed = "refreshed";
    public const string Expired = "expired";
    public const string Failed = "failed";

    public ulong Sequence { get; init; }

    public required string Kind { get; init; }

    public string Id { get; init; } = string.Empty;

    public string PubKey { get; init; } = string.Empty;

    public string Nonce { get; init; } = string.Empty;

    public long? PriceSat { get; init; }

    public string ContractId { get; init; } = string.Empty;

    public string TunnelAddress { get; init; } = string.Empty;

    public DateTimeOffset? ExpiresAt { get; init; }

    public TimeSpan? Duration { get; init; }

    public string Mode { get; init; } = string.Empty;

    public string Error { get; init; } = string.Empty;

    public bool MoneyMoved { get; init; }

    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;
}
