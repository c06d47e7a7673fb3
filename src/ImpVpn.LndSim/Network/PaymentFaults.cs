namespace ImpVpn.LndSim.Network;

/// <summary>Payment fault switches of one node, set by tests and the control endpoint (docs/simulator.md).
/// Kept apart from the node's other state: these shape how its payments travel, not what it answers.</summary>
public sealed partial class SimNodeState
{
    /// <summary>As payer: this many of its next payment parts fail at the last forwarding hop
    /// (TEMPORARY_CHANNEL_FAILURE) and are retried after a pause while the payment stays IN_FLIGHT.</summary>
    public int FailNextParts { get; set; }

    /// <summary>As payer: its next payment is split into this many parts (at most max_parts), in any profile.</summary>
    public int SplitNextPayment { get; set; }

    /// <summary>Added to the latency of every hop this node sends or receives, both ways, in any profile.</summary>
    public TimeSpan ExtraHopLatency { get; set; }

    /// <summary>As payee: a hold invoice whose set is complete turns ACCEPTED only after this extra delay.</summary>
    public TimeSpan AcceptDelay { get; set; }

    /// <summary>The node answers Router.EstimateRouteFee with Unimplemented, as an LND built or configured without it
    /// does, so clients can be checked against a node that cannot probe.</summary>
    public bool RouteFeeEstimationUnavailable { get; set; }
}
