namespace ImpVpn.LndSim.Network;

/// <summary>A channel between two simulated nodes. Balances are in millisatoshis; each end has its own fee
/// policy, charged when that end forwards a payment out over this channel.</summary>
public sealed class SimChannel
{
    public required ulong Id { get; init; }

    public required string NodeA { get; init; }

    public required string NodeB { get; init; }

    public required long CapacitySat { get; init; }

    public required string FundingTxid { get; init; }

    /// <summary>The funding outpoint as LND writes it; the funding output is always the transaction's first.</summary>
    public string ChannelPoint => FundingTxid + ":0";

    /// <summary>What the opener gave the other side at opening (LND reports it as push_amount_sat).</summary>
    public long PushSat { get; init; }

    /// <summary>When the channel opened: LND's channel lifetime counts from here.</summary>
    public DateTimeOffset OpenedAt { get; init; } = DateTimeOffset.UtcNow;

    public long BalanceAMsat { get; set; }

    public long BalanceBMsat { get; set; }

    public FeePolicy PolicyA { get; set; } = FeePolicy.Default;

    public FeePolicy PolicyB { get; set; } = FeePolicy.Default;

    /// <summary>A private (unannounced) channel: not in anyone's graph, so only its two ends route over it unless
    /// an invoice's route hint names it.</summary>
    public bool IsPrivate { get; init; }

    /// <summary>LND's channel reserve: 1% of the capacity, never below the 354 sat dust limit. Each side keeps it
    /// unspendable (so a cheated party always has something to take).</summary>
    public long ReserveMsat => Math.Max(CapacitySat / 100, 354) * 1000;

    /// <summary>What <paramref name="node"/> can still send: its balance above its reserve. A side that has not yet
    /// reached its reserve (a fresh channel's receiving end) can send nothing.</summary>
    public long SpendableMsat(string node) => Math.Max(0, LocalMsat(node) - ReserveMsat);

    public bool Involves(string node) => NodeA == node || NodeB == node;

    public string Other(string node) => node == NodeA ? NodeB : NodeA;

    public long LocalMsat(string node) => node == NodeA ? BalanceAMsat : BalanceBMsat;

    public FeePolicy PolicyOf(string node) => node == NodeA ? PolicyA : PolicyB;

    /// <summary>Moves msat from <paramref name="node"/>'s side (negative amounts move it back).</summary>
    public void Debit(string node, long msat)
    {
        if (node == NodeA)
        {
            BalanceAMsat -= msat;
        }
        else
        {
            BalanceBMsat -= msat;
        }
    }

    public void Credit(string node, long msat) => Debit(node, -msat);
}

/// <summary>A forwarding policy: fee (base in msat plus parts per million of the forwarded amount) and the CLTV
/// delta the forwarding node adds to the HTLC's expiry (LND's default 80 blocks).</summary>
public sealed record FeePolicy(long BaseMsat, long RatePpm, uint TimeLockDelta = FeePolicy.DefaultTimeLockDelta)
{
    public const uint DefaultTimeLockDelta = 80;

    public static readonly FeePolicy Default = new(1000, 1);

    public long FeeFor(long forwardedMsat) => BaseMsat + (forwardedMsat * RatePpm / 1_000_000);
}
