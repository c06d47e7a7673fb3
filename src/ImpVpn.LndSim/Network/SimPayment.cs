using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.LndSim.Network;

/// <summary>An outgoing payment of a simulated node and its HTLC attempts (one per part and per retry).</summary>
public sealed class SimPayment
{
    public required byte[] PaymentHash { get; init; }

    public required string PaymentRequest { get; init; }

    public required long ValueMsat { get; init; }

    public required ulong Index { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary>The invoice's payment address (secret), sent in each part's MPP record.</summary>
    public byte[] PaymentAddress { get; init; } = [];

    public uint BlockHeight { get; init; }

    public Payment.Types.PaymentStatus Status { get; set; } = Payment.Types.PaymentStatus.InFlight;

    public PaymentFailureReason FailureReason { get; set; } = PaymentFailureReason.FailureReasonNone;

    public byte[]? Preimage { get; set; }

    /// <summary>Fees of the attempts that did not fail (LND counts those of settled and in-flight HTLCs).</summary>
    public long FeeMsat => Attempts.Where(a => a.Status != HTLCAttempt.Types.HTLCStatus.Failed).Sum(a => a.Route.FeeMsat);

    internal List<SimAttempt> Attempts { get; } = [];

    /// <summary>How many of its HTLC attempts failed (and were sent again, for a payment that went on).</summary>
    public int FailedAttempts => Attempts.Count(a => a.Status == HTLCAttempt.Types.HTLCStatus.Failed);

    /// <summary>How many parts the payment ended (or stands) in: its attempts that did not fail.</summary>
    public int Parts => Attempts.Count(a => a.Status != HTLCAttempt.Types.HTLCStatus.Failed);

    /// <summary>Set when the payment can no longer succeed: it turns FAILED with this reason once no attempt is in flight.</summary>
    internal PaymentFailureReason? PendingFailure { get; set; }

    public bool IsFinal => Status is Payment.Types.PaymentStatus.Succeeded or Payment.Types.PaymentStatus.Failed;

    /// <summary>Completed by the network each time the payment changes, then replaced.</summary>
    public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Payment ToProto()
    {
        var fee = Status == Payment.Types.PaymentStatus.Failed ? 0 : FeeMsat;
        var payment = new Payment
        {
            PaymentHash = Convert.ToHexString(PaymentHash).ToLowerInvariant(),
            PaymentPreimage = Convert.ToHexString(Preimage ?? new byte[32]).ToLowerInvariant(),
            ValueSat = ValueMsat / 1000,
            ValueMsat = ValueMsat,
            PaymentRequest = PaymentRequest,
            Status = Status,
            FeeSat = fee / 1000,
            FeeMsat = fee,
            CreationTimeNs = SimAttempt.Nanoseconds(Created),
            PaymentIndex = Index,
            FailureReason = FailureReason,
        };
#pragma warning disable CS0612 // LND still fills the deprecated fields.
        payment.Value = ValueMsat / 1000;
        payment.CreationDate = Created.ToUnixTimeSeconds();
        payment.Fee = fee / 1000;
#pragma warning restore CS0612
        foreach (var attempt in Attempts)
        {
            payment.Htlcs.Add(attempt.ToProto(PaymentAddress, ValueMsat, BlockHeight));
        }

        return payment;
    }
}
