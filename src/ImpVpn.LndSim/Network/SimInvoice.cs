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

    /// <summary>Every HTLC that reached this invoice, one per part (and per retried part), in arrival order.</summary>
    internal List<SimInvoiceHtlc> Htlcs { get; } = [];

    /// <summary>Asked for with private set (AddInvoice / AddHoldInvoice): route hints are added if the payee has private channels.</summary>
    public bool IsPrivate { get; init; }

    public IReadOnlyList<RouteHint> RouteHints { get; init; } = [];

    /// <summary>What the HTLCs still held (accepted or settled) add up to.</summary>
    internal long HeldMsat => Htlcs.Where(h => h.State != InvoiceHTLCState.Canceled).Sum(h => h.AmountMsat);

    public bool IsExpired(DateTimeOffset now) => now > Created.AddSeconds(ExpirySeconds);

    public Invoice ToProto()
    {
        var invoice = ToProtoFields();
        invoice.RouteHints.Add(RouteHints);
        invoice.Htlcs.Add(Htlcs.Select(h => h.ToProto()));
#pragma warning disable CS0612 // LND still fills the deprecated fields.
        invoice.Settled = State == Invoice.Types.InvoiceState.Settled;
        invoice.AmtPaid = AmountPaidMsat;
#pragma warning restore CS0612
        return invoice;
    }

    private Invoice ToProtoFields() => new()
    {
        Private = IsPrivate,
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
