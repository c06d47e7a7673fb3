namespace ImpVpn.Core.Protocol;

/// <summary>
/// What one peer may cost a <see cref="PeerRpcEndpoint"/>: how fast it may send (a token bucket per peer), and how
/// much the endpoint remembers of answers for retries (per peer, in all, in bytes and in time). Every piece of
/// per-peer or per-request state the endpoint keeps is bounded by one of these (docs/protocol.md, Transport).
/// </summary>
public sealed record PeerRpcLimits
{
    public static readonly PeerRpcLimits Default = new();

    /// <summary>Messages a peer may send at once after a quiet spell: a purchase takes three or four requests
    /// (plus retries), so honest bursts fit with room to spare.</summary>
    public int RequestBurst { get; init; } = 60;

    /// <summary>The steady rate a peer's bucket refills at; beyond it requests are answered "rate limited" (1005)
    /// without running any handler.</summary>
    public double RequestsPerSecond { get; init; } = 5;

    /// <summary>How long an answer is kept to answer a retry of the same request instead of acting again.</summary>
    public TimeSpan AnswerMemory { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Answers kept per peer: a peer that floods evicts its own oldest answers, never another's.</summary>
    public int AnswersPerPeer { get; init; } = 32;

    /// <summary>Answers kept in all.</summary>
    public int Answers { get; init; } = 4096;

    /// <summary>Bytes of encoded answers kept in all (each at most one custom message, 65,533 bytes).</summary>
    public long AnswerBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Peers whose request rate is tracked at once; a peer whose bucket is full again carries no state
    /// worth keeping and is the first forgotten.</summary>
    public int TrackedPeers { get; init; } = 4096;
}
