namespace ImpVpn.LndSim.Network;

/// <summary>One node's record of its link to one peer, as LND keeps it: who dialled, traffic in bytes, and how
/// often the link went down (LND's channel event store counts flaps per peer and keeps them across reconnects,
/// so this record outlives the link).</summary>
public sealed class PeerLink
{
    /// <summary>LND 0.19+ keeps at most this many inbound peers that have no channel with it (accessman.go).</summary>
    public const int DefaultRestrictedSlots = 100;

    /// <summary>A BOLT 1 init message with LND's feature vectors is about this size; counted once per connection
    /// so a fresh link shows traffic, as on a real node.</summary>
    public const int InitMessageBytes = 62;

    /// <summary>Each Lightning message costs its 2-byte type plus brontide's 18-byte encrypted length header and two
    /// 16-byte MACs on the wire.</summary>
    public const int WireOverheadBytes = 2 + 18 + 16;

    public bool Up { get; set; }

    /// <summary>True when the peer dialled this node.</summary>
    public bool Inbound { get; set; }

    public DateTimeOffset ConnectedAt { get; set; }

    public ulong BytesSent { get; set; }

    public ulong BytesReceived { get; set; }

    public int FlapCount { get; set; }

    public DateTimeOffset? LastFlap { get; set; }
}
