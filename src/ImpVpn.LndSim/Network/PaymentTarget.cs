using ImpVpn.LndSim.Crypto;

namespace ImpVpn.LndSim.Network;

/// <summary>Where a payment goes and what the payee asked for: from a payment request, or (for a probe) from its
/// destination with a random hash.</summary>
internal sealed record PaymentTarget(
    byte[] PayeePubKey, long AmountMsat, byte[] PaymentHash, byte[] PaymentAddress, uint FinalCltvDelta,
    IReadOnlyList<IReadOnlyList<Bolt11HopHint>> RouteHints);

/// <summary>The payer's limits, as SendPaymentRequest gives them: fee limit (0 allows no fee), cltv_limit (0 means
/// LND's 2016), max_parts (0 means LND's 16), max_shard_size_msat (0 means none) and timeout_seconds (0 means LND's
/// 60): past it no new attempt is sent, and the payment fails TIMEOUT once none is left in flight.</summary>
/// <param name="IsProbe">an EstimateRouteFee probe: a payment like any other, except that the switch failing "the next
/// payment" waits for a payment the caller asked for, so a client that probes first still meets the fault.</param>
public sealed record SendOptions(long FeeLimitMsat, uint CltvLimit = 0, uint MaxParts = 0, long MaxShardMsat = 0, int TimeoutSeconds = 0, bool IsProbe = false)
{
    /// <summary>LND's default max_parts.</summary>
    public const uint DefaultMaxParts = 16;

    public uint PartsAllowed => MaxParts == 0 ? DefaultMaxParts : MaxParts;

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds > 0 ? TimeoutSeconds : 60);
}
