namespace ImpVpn.LndSim.Crypto;

/// <summary>What a BOLT11 payment request says. Currency is the part after "ln": "bcrt", "bc", "tb", "tbs".</summary>
public sealed record Bolt11Invoice(
    string Currency,
    long? AmountMsat,
    DateTimeOffset Timestamp,
    byte[] PaymentHash,
    byte[] PaymentSecret,
    string? Description,
    byte[]? DescriptionHash,
    long ExpirySeconds,
    long MinFinalCltvExpiry,
    byte[] Payee)
{
    /// <summary>Feature bits: var_onion_optin (8) and payment_secret (14), both required, as LND sets them.</summary>
    public IReadOnlyList<int> Features { get; init; } = [8, 14];

    /// <summary>Route hints ('r' fields), one list of hops each: how to reach a payee over private channels.</summary>
    public IReadOnlyList<IReadOnlyList<Bolt11HopHint>> RouteHints { get; init; } = [];

    public string PayeeHex => Convert.ToHexString(Payee).ToLowerInvariant();

    public DateTimeOffset ExpiresAt => Timestamp.AddSeconds(ExpirySeconds);

    /// <summary>The BOLT11 currency prefix of an LND network name.</summary>
    public static string CurrencyFor(string network) => network switch
    {
        "mainnet" => "bc",
        "testnet" or "testnet4" => "tb",
        "signet" => "tbs",
        "simnet" => "sb",
        _ => "bcrt",
    };
}
