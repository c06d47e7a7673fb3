using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.LndSim.Network;

/// <summary>An invoice held by a simulated node, ordinary or hold.</summary>
public sealed class SimInvoice
{
    public required byte[] PaymentHash { get; init; }

    /// <summary>Known for ordinary invoices; for a hold invoice only once the payee settles it.</summary>
    public byte[]? Preimage { get; set; }

    public required bool IsHold { get; init; }

    public required long ValueMsat { get; init; }

    public required string Memo { get; init; }

    public required byte[] DescriptionHash { get; init; }

    public required long ExpirySeconds { get; init; }

    public required DateTimeOffset Created { get; init; }

    public required string PaymentRequest { get; init; }

    public required byte[] PaymentAddress { get; init; }

    public required ulong CltvExpiry { get; init; }

    public required ulong AddIndex { get; init; }

    public ulong SettleIndex { get; set; }

    public Invoice.Types.InvoiceState State { get; set; } = Invoice.Types.InvoiceState.Open;

    public long AmountPaidMsat { get; set; }

    public DateTimeOffset? SettleDate { get; set; }

    /// <summary>Completed each time the invoice changes, then replaced (for SubscribeSingleInvoice).</summary>
    public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The payment held on an ACCEPTED hold invoice.</summary>
    public SimPayment? HeldPayment { get; set; }

    public bool IsExpired(DateTimeOffset now) => now > Created.AddSeconds(ExpirySeconds);

    public Invoice ToProto() => new()
    {
        Memo = Memo,
        RPreimage = Google.Protobuf.ByteString.CopyFrom(Preimage ?? []),
        RHash = Google.Protobuf.ByteString.CopyFrom(PaymentHash),
        Value = ValueMsat / 1000,
        ValueMsat = ValueMsat,
        CreationDate = Created.ToUnixTimeSeconds(),
        SettleDate = SettleDate?.ToUnixTimeSeconds() ?? 0,
        PaymentRequest = PaymentRequest,
        DescriptionHash = Google.Protobuf.ByteString.CopyFrom(DescriptionHash),
        Expiry = ExpirySeconds,
        CltvExpiry = CltvExpiry,
        AddIndex = AddIndex,
        SettleIndex = SettleIndex,
        AmtPaidSat = AmountPaidMsat / 1000,
        AmtPaidMsat = AmountPaidMsat,
        State = State,
        PaymentAddr = Google.Protobuf.ByteString.CopyFrom(PaymentAddress),
    };
}
