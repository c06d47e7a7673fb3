namespace ImpVpn.Core.Tests.Realistic;

/// <summary>What goes wrong during one purchase or refresh of the matrix, on top of the realistic simulator's own
/// latency and payments in parts. Each is something a real LND and a real network do to a buyer.</summary>
public enum MatrixFault
{
    /// <summary>Nothing beyond the profile's latency and parts.</summary>
    None,

    /// <summary>The payment is split into several parts that arrive one by one; the invoice is ACCEPTED only when the
    /// last has.</summary>
    PaymentInParts,

    /// <summary>Every peer message between buyer and seller is delayed.</summary>
    DelayedMessages,

    /// <summary>The next peer messages the seller sends are lost on the way (its answers never arrive).</summary>
    LostMessages,

    /// <summary>The buyer's peer connection to the seller drops after the payment started.</summary>
    PeerDroppedMidPurchase,

    /// <summary>The buyer's node regenerates its tls.cert after the payment started (the pinned client must re-read it).</summary>
    TlsCertRegenerated,

    /// <summary>The seller's process is restarted once the invoice is ACCEPTED, before it settles.</summary>
    SellerRestartedWhileHeld,
}
