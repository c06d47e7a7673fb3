using Google.Protobuf;
using ImpVpn.Lnd.Rpc.Lnrpc;
using HTLCStatus = ImpVpn.Lnd.Rpc.Lnrpc.HTLCAttempt.Types.HTLCStatus;

namespace ImpVpn.LndSim.Network;

/// <summary>One HTLC attempt of a payment (one part of it, or one try of a part): the route it took, and how it
/// ended. While it is in flight its amounts are held: taken from each hop's sender, not yet given to its receiver.</summary>
internal sealed class SimAttempt
{
    public required ulong Id { get; init; }

    public required FoundRoute Route { get; init; }

    public required DateTimeOffset AttemptTime { get; init; }

    public HTLCStatus Status { get; set; } = HTLCStatus.InFlight;

    public DateTimeOffset? ResolveTime { get; set; }

    public Failure.Types.FailureCode? FailureCode { get; set; }

    /// <summary>Which node of the route failed it: 0 is the payer, Hops.Count the payee (LND's failure_source_index).</summary>
    public uint FailureSourceIndex { get; set; }

    public byte[]? Preimage { get; set; }

    public long AmountMsat => Route.ReceivedMsat;

    public HTLCAttempt ToProto(byte[] paymentAddress, long totalMsat, uint blockHeight)
    {
        var route = new ImpVpn.Lnd.Rpc.Lnrpc.Route
        {
            TotalTimeLock = Route.TotalTimeLock,
            TotalFeesMsat = Route.FeeMsat,
            TotalAmtMsat = Route.TotalAmountMsat,
            FirstHopAmountMsat = Route.TotalAmountMsat,
        };
#pragma warning disable CS0612 // LND still fills the deprecated sat fields.
        route.TotalFees = Route.FeeMsat / 1000;
        route.TotalAmt = Route.TotalAmountMsat / 1000;
        for (var i = 0; i < Route.Hops.Count; i++)
        {
            var hop = Route.Hops[i];
            var proto = new Hop
            {
                ChanId = hop.Channel.Id,
                ChanCapacity = hop.Channel.CapacitySat,
                AmtToForward = hop.ForwardMsat / 1000,
                Fee = hop.FeeMsat / 1000,
                Expiry = hop.Expiry,
                AmtToForwardMsat = hop.ForwardMsat,
                FeeMsat = hop.FeeMsat,
                PubKey = hop.ToPubKey,
                TlvPayload = true,
            };
#pragma warning restore CS0612
            if (i == Route.Hops.Count - 1)
            {
                // As LND: the final hop carries the MPP record (payment address and the whole payment's amount).
                proto.MppRecord = new MPPRecord { PaymentAddr = ByteString.CopyFrom(paymentAddress), TotalAmtMsat = totalMsat };
            }

            route.Hops.Add(proto);
        }

        var attempt = new HTLCAttempt
        {
            AttemptId = Id,
            Status = Status,
            Route = route,
            AttemptTimeNs = Nanoseconds(AttemptTime),
            ResolveTimeNs = ResolveTime is { } resolved ? Nanoseconds(resolved) : 0,
            Preimage = ByteString.CopyFrom(Preimage ?? []),
        };
        if (FailureCode is { } code)
        {
            attempt.Failure = new Failure
            {
                Code = code,
                FailureSourceIndex = FailureSourceIndex,
                HtlcMsat = (ulong)(FailureSourceIndex == 0 ? Route.TotalAmountMsat : Route.Hops[(int)FailureSourceIndex - 1].AmountMsat),
                Height = blockHeight,
            };
        }

        return attempt;
    }

    public static long Nanoseconds(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks * 100;
}
