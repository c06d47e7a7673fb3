namespace ImpVpn.LndSim.Network;

/// <summary>How closely payments imitate a real network. Both profiles apply LND's rules (fees and fee limit, CLTV
/// and cltv_limit, channel reserve, private channels and route hints) and fill every field LND fills; they differ
/// in time and shape (see docs/simulator.md, "Profiles").</summary>
public enum SimProfile
{
    /// <summary>Instant and in one part: a payment reaches the payee within the SendPaymentV2 call.</summary>
    Ideal,

    /// <summary>Per-hop latency both ways, multi-part payments, retries after a pause.</summary>
    Realistic,
}

/// <summary>The figures each profile runs with.</summary>
internal sealed record ProfileTimings(TimeSpan HopLatency, TimeSpan RetryPause, bool Splits)
{
    /// <summary>Realistic: splits (when one route cannot carry the amount, and pseudo-randomly above
    /// <see cref="RandomSplitFromMsat"/>); 15 ms per hop per direction (a route of 3 hops takes ~45 ms to reach the payee and ~45 ms
    /// for the settle to come back); a failed part is retried after 40 ms.</summary>
    public static readonly ProfileTimings Realistic = new(TimeSpan.FromMilliseconds(15), TimeSpan.FromMilliseconds(40), true);

    public static readonly ProfileTimings Ideal = new(TimeSpan.Zero, TimeSpan.Zero, false);

    public static ProfileTimings For(SimProfile profile) => profile == SimProfile.Realistic ? Realistic : Ideal;

    /// <summary>When <see cref="Splits"/>, a payment of at least this much may be split pseudo-randomly (seeded) even when one
    /// route could carry it, as LND's splitting on liquidity failures makes parts common for larger amounts.</summary>
    public const long RandomSplitFromMsat = 100_000_000;
}
