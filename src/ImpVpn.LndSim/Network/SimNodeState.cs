using System.Threading.Channels;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Crypto;

namespace ImpVpn.LndSim.Network;

/// <summary>Everything one simulated node holds. Guarded by the network's lock; subscribers are channels the
/// gRPC streams read from.</summary>
public sealed partial class SimNodeState
{
    public required string Name { get; init; }

    public required NodeKey Key { get; init; }

    public string PubKey => Key.PubKeyHex;

    /// <summary>The node's advertised peer-to-peer address (simulated: no socket listens there).</summary>
    public required string P2pAddress { get; init; }

    /// <summary>Settable: rotating the macaroon replaces it (the old one is refused from then on).</summary>
    public required byte[] Macaroon { get; set; }

    public HashSet<string> Peers { get; } = [];

    /// <summary>The versions of this node's announcement still crossing the gossip network, the newest last; the
    /// first is the one every node sees (<see cref="SimNetwork.AnnouncementSeenBy"/>).</summary>
    public List<NodeAnnouncement> Announcements { get; } = [];

    /// <summary>What this node knows of each link, kept across reconnects (flap count, bytes, who dialled).</summary>
    public Dictionary<string, PeerLink> PeerLinks { get; } = [];

    /// <summary>LND's restricted access slots: inbound peers without a channel it keeps (default 100, accessman.go).</summary>
    public int RestrictedPeerSlots { get; set; } = PeerLink.DefaultRestrictedSlots;

    public Dictionary<string, SimInvoice> Invoices { get; } = [];

    public Dictionary<string, SimPayment> Payments { get; } = [];

    public List<Channel<CustomMessage>> CustomMessageSubscribers { get; } = [];

    public List<Channel<Invoice>> InvoiceSubscribers { get; } = [];

    public ulong NextAddIndex { get; set; } = 1;

    public ulong NextSettleIndex { get; set; } = 1;

    public ulong NextPaymentIndex { get; set; } = 1;

    // Fault switches, set by tests and the control endpoint.
    public bool IsDown { get; set; }

    public bool SyncedToChain { get; set; } = true;

    public string? ReportedNetwork { get; set; }

    public bool DropCustomMessages { get; set; }

    public TimeSpan CustomMessageDelay { get; set; }

    /// <summary>How many more custom messages sent by this node take their link down with them (a flapping link).</summary>
    public int LinkDropsOnMessages { get; set; }

    public PaymentFailureReason? FailNextPayment { get; set; }

    /// <summary>The next invoice this node creates is handed out altered this way (a compromised or dishonest payee's node).</summary>
    public InvoiceTampering? TamperNextInvoice { get; set; }

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
