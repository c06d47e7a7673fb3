using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.LndSim.Network;

/// <summary>An outgoing payment of a simulated node, with the route its HTLC took while it is in flight.</summary>
public sealed class SimPayment
{
    public required byte[] PaymentHash { get; init; }

    public required string PaymentRequest { get; init; }

    public required long ValueMsat { get; init; }

    public required ulong Index { get; init; }

    public required DateTimeOffset Created { get; init; }

    public long FeeMsat { get; set; }

    public Payment.Types.PaymentStatus Status { get; set; } = Payment.Types.PaymentStatus.InFlight;

    public PaymentFailureReason FailureReason { get; set; } = PaymentFailureReason.FailureReasonNone;

    public byte[]? Preimage { get; set; }

    /// <summary>Hops of the held HTLC: (channel, sending node, amount on that hop).</summary>
    public List<(SimChannel Channel, string From, long AmountMsat)> Route { get; } = [];

    public bool IsFinal => Status is Payment.Types.PaymentStatus.Succeeded or Payment.Types.PaymentStatus.Failed;

    /// <summary>Completed by the network each time the payment changes, then replaced.</summary>
    public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Payment ToProto() => new()
    {
        PaymentHash = Convert.ToHexString(PaymentHash).ToLowerInvariant(),
        PaymentPreimage = Convert.ToHexString(Preimage ?? new byte[32]).ToLowerInvariant(),
        ValueSat = ValueMsat / 1000,
        ValueMsat = ValueMsat,
        PaymentRequest = PaymentRequest,
        Status = Status,
        FeeSat = FeeMsat / 1000,
        FeeMsat = FeeMsat,
        CreationTimeNs = Created.ToUnixTimeMilliseconds() * 1_000_000,
        PaymentIndex = Index,
        FailureReason = FailureReason,
    };
}
