using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.LndSim.Network;

/// <summary>One HTLC that reached a payee for an invoice (LND's InvoiceHTLC): a multi-part payment leaves one
/// per part. The invoice turns ACCEPTED or SETTLED only once the accepted ones add up to the whole set.</summary>
internal sealed class SimInvoiceHtlc
{
    public required ulong ChannelId { get; init; }

    public required ulong HtlcIndex { get; init; }

    public required long AmountMsat { get; init; }

    public required uint AcceptHeight { get; init; }

    public required DateTimeOffset AcceptTime { get; init; }

    public required uint ExpiryHeight { get; init; }

    public required long MppTotalMsat { get; init; }

    public required SimPayment Payment { get; init; }

    public required SimAttempt Attempt { get; init; }

    public InvoiceHTLCState State { get; set; } = InvoiceHTLCState.Accepted;

    public DateTimeOffset? ResolveTime { get; set; }

    public InvoiceHTLC ToProto() => new()
    {
        ChanId = ChannelId,
        HtlcIndex = HtlcIndex,
        AmtMsat = (ulong)AmountMsat,
        AcceptHeight = (int)AcceptHeight,
        AcceptTime = AcceptTime.ToUnixTimeSeconds(),
        ResolveTime = ResolveTime?.ToUnixTimeSeconds() ?? 0,
        ExpiryHeight = (int)ExpiryHeight,
        State = State,
        MppTotalAmtMsat = (ulong)MppTotalMsat,
    };
}
