using ImpVpn.Lnd.Rpc.Lnrpc;
using FailureCode = ImpVpn.Lnd.Rpc.Lnrpc.Failure.Types.FailureCode;
using HTLCStatus = ImpVpn.Lnd.Rpc.Lnrpc.HTLCAttempt.Types.HTLCStatus;
using InvoiceState = ImpVpn.Lnd.Rpc.Lnrpc.Invoice.Types.InvoiceState;
using PaymentStatus = ImpVpn.Lnd.Rpc.Lnrpc.Payment.Types.PaymentStatus;

namespace ImpVpn.LndSim.Network;

/// <summary>
/// A payment's life as LND lives it. The attempts are recorded first (the payment is IN_FLIGHT, each attempt
/// IN_FLIGHT, balances held along each route) before the payee sees anything; then each part travels hop by hop
/// with the profile's latency; the payee keeps each arriving part as an InvoiceHTLC and acts only on the complete
/// set (settles an ordinary invoice, marks a hold invoice ACCEPTED); a part that fails on the way is released and,
/// after a pause, sent again on a new route while the payment stays IN_FLIGHT; the settle or cancel travels back
/// hop by hop, and the payment ends only when no attempt is left in flight. Under the Ideal profile every delay is
/// zero, so all of this happens within the call that starts it.
/// </summary>
internal sealed class PaymentLifecycle(SimNetwork network)
{
    /// <summary>LND pads the final CLTV delta by three blocks so blocks mined while the HTLC travels do not
    /// make it expire too soon (routing.BlockPadding).</summary>
    public const uint BlockPadding = 3;

    /// <summary>LND does not split a part smaller than this (DefaultShardMinAmt, 10,000 sat).</summary>
    private const long MinPartMsat = 10_000_000;

    public void Start(string payerName, SimPayment payment, PaymentTarget target, SendOptions options)
    {
        List<SimAttempt> attempts;
        string payeeName;
        lock (network.Gate)
        {
            var payer = network.NodeLocked(payerName);
            var outbound = network.ChannelList.Where(c => c.Involves(payerName)).Sum(c => c.SpendableMsat(payerName));
            if (outbound < target.AmountMsat)
            {
                FinishLocked(payment, PaymentStatus.Failed, PaymentFailureReason.FailureReasonInsufficientBalance);
                return;
            }

            var payee = network.ByPubKeyLocked(target.PayeePubKey);
            var routes = payee is null || payee.IsDown ? null : Plan(payer, payee, target, options);
            if (routes is null)
            {
                FinishLocked(payment, PaymentStatus.Failed, PaymentFailureReason.FailureReasonNoRoute);
                return;
            }

            payeeName = payee!.Name;
            attempts = routes.Select(r => Record(payment, r)).ToList();
            Changed(payment);
        }

        foreach (var attempt in attempts)
        {
            _ = TravelAsync(payerName, payeeName, payment, attempt, target, options);
        }
    }

    /// <summary>Chooses the parts and their routes, holding each route's balances so the next part sees what is
    /// left. Splits when forced, pseudo-randomly for large amounts, to respect max_shard_size_msat, and (when the
    /// profile splits) in halves whenever a part finds no route, up to max_parts.</summary>
    private List<FoundRoute>? Plan(SimNodeState payer, SimNodeState payee, PaymentTarget target, SendOptions options)
    {
        var timings = ProfileTimings.For(network.Profile);
        var maxParts = (int)options.PartsAllowed;
        var parts = 1;
        if (payer.SplitNextPayment > 0 && maxParts > 1)
        {
            parts = Math.Min(payer.SplitNextPayment, maxParts);
            payer.SplitNextPayment = 0;
        }
        else if (timings.Splits && maxParts > 1 && target.AmountMsat >= ProfileTimings.RandomSplitFromMsat && network.Random.Next(2) == 1)
        {
            parts = network.Random.Next(2, Math.Min(4, maxParts) + 1);
        }

        if (options.MaxShardMsat > 0)
        {
            parts = (int)Math.Max(parts, (target.AmountMsat + options.MaxShardMsat - 1) / options.MaxShardMsat);
            if (parts > maxParts)
            {
                return null;
            }
        }

        var queue = new Queue<long>(Split(target.AmountMsat, parts));
        var planned = new List<FoundRoute>();
        while (queue.TryDequeue(out var amount))
        {
            var route = FindRoute(payer.Name, payee.Name, amount, target, options, planned.Sum(r => r.FeeMsat));
            if (route is not null)
            {
                Hold(route);
                planned.Add(route);
                continue;
            }

            if (timings.Splits && planned.Count + queue.Count + 2 <= maxParts && amount / 2 >= MinPartMsat
                && (options.MaxShardMsat == 0 || amount <= options.MaxShardMsat))
            {
                queue.Enqueue(amount / 2);
                queue.Enqueue(amount - (amount / 2));
                continue;
            }

            planned.ForEach(Release);
            return null;
        }

        return planned;
    }

    private static IEnumerable<long> Split(long amount, int parts) =>
        Enumerable.Range(0, parts).Select(i => (amount / parts) + (i == 0 ? amount % parts : 0));

    private FoundRoute? FindRoute(string payer, string payee, long amount, PaymentTarget target, SendOptions options, long feesSoFar)
    {
        var hints = RouteHints.Resolve(target.RouteHints, network.ByPubKeyLocked);
        var query = new RouteQuery(payer, payee, amount, target.FinalCltvDelta + BlockPadding, options.CltvLimit, options.FeeLimitMsat - feesSoFar, hints);
        return RouteFinder.Find(network.ChannelList, network.NodeLocked, network.BlockHeight, query);
    }

    private SimAttempt Record(SimPayment payment, FoundRoute route)
    {
        var attempt = new SimAttempt { Id = network.NextAttemptId(), Route = route, AttemptTime = DateTimeOffset.UtcNow };
        payment.Attempts.Add(attempt);
        return attempt;
    }

    /// <summary>One part's way to the payee, sent again as long as it fails on the way (a loop, not recursion, so
    /// many retries under the Ideal profile, where nothing waits, do not deepen the stack).</summary>
    private async Task TravelAsync(string payerName, string payeeName, SimPayment payment, SimAttempt attempt, PaymentTarget target, SendOptions options)
    {
        for (SimAttempt? current = attempt; current is not null;)
        {
            await HopsAsync(current.Route.Hops).ConfigureAwait(false);
            if (!FailsOnTheWay(payerName, current, options))
            {
                await ArriveAsync(payeeName, payment, current).ConfigureAwait(false);
                return;
            }

            var failingNode = (uint)current.Route.Hops.Count - 1;
            current = await FailBackAsync(payment, current, FailureCode.TemporaryChannelFailure, failingNode, resending: true).ConfigureAwait(false)
                ? await ResendAsync(payment, current, target, options, payerName, payeeName).ConfigureAwait(false)
                : null;
        }
    }

    /// <summary>The payer's fault switch: this part fails at the last forwarding node. A route probe leaves the switch
    /// for the payment the caller asked for, as FailNextPayment does.</summary>
    private bool FailsOnTheWay(string payerName, SimAttempt attempt, SendOptions options)
    {
        lock (network.Gate)
        {
            var payer = network.NodeLocked(payerName);
            if (options.IsProbe || payer.FailNextParts <= 0 || attempt.Route.Hops.Count == 0)
            {
                return false;
            }

            payer.FailNextParts--;
            return true;
        }
    }

    /// <summary>What the payee does with an arriving part.</summary>
    private async Task ArriveAsync(string payeeName, SimPayment payment, SimAttempt attempt)
    {
        SimInvoice? complete = null;
        SimNodeState payee;
        lock (network.Gate)
        {
            payee = network.NodeLocked(payeeName);
            if (payment.PendingFailure is not null)
            {
                // The payment already cannot succeed (another part was refused): the payee lets this one go too.
                _ = FailBackAsync(payment, attempt, FailureCode.MppTimeout, (uint)attempt.Route.Hops.Count);
                return;
            }

            var invoice = payee.Invoices.GetValueOrDefault(SimNodeState.Hex(payment.PaymentHash));
            if (!Acceptable(invoice, payment))
            {
                payment.PendingFailure = PaymentFailureReason.FailureReasonIncorrectPaymentDetails;
                _ = FailBackAsync(payment, attempt, FailureCode.IncorrectOrUnknownPaymentDetails, (uint)attempt.Route.Hops.Count);
                if (invoice is not null)
                {
                    CancelPartialSetLocked(invoice, payment);
                }

                return;
            }

            var last = attempt.Route.Hops[^1];
            var htlc = new SimInvoiceHtlc
            {
                ChannelId = last.Channel.Id,
                HtlcIndex = network.NextHtlcIndex(),
                AmountMsat = attempt.AmountMsat,
                AcceptHeight = network.BlockHeight,
                AcceptTime = DateTimeOffset.UtcNow,
                ExpiryHeight = last.Expiry,
                MppTotalMsat = payment.ValueMsat,
                Payment = payment,
                Attempt = attempt,
            };
            invoice!.Htlcs.Add(htlc);
            invoice.AmountPaidMsat = invoice.HeldMsat;
            // The set is complete when its parts reach the payment's total (the MPP record's), which Acceptable
            // checked is at least the invoice's amount.
            if (invoice.Htlcs.Where(h => h.Payment == payment && h.State == InvoiceHTLCState.Accepted).Sum(h => h.AmountMsat) < payment.ValueMsat)
            {
                return;
            }

            if (!invoice.IsHold)
            {
                SettleLocked(payee, invoice, invoice.Preimage!);
                return;
            }

            complete = invoice;
        }

        if (payee.AcceptDelay > TimeSpan.Zero)
        {
            await Task.Delay(payee.AcceptDelay).ConfigureAwait(false);
        }

        lock (network.Gate)
        {
            if (complete.State == InvoiceState.Open && payment.PendingFailure is null)
            {
                complete.State = InvoiceState.Accepted;
                complete.HeldPayment = payment;
                SimNetwork.PublishInvoice(payee, complete);
                Changed(payment);
                network.CancelWhenHeldTooLong(payee, complete, payment);
            }
        }
    }

    /// <summary>What a payee checks of an arriving part: a known invoice still open and unexpired (or
    /// already taking parts of this same payment), for at least its amount.</summary>
    private static bool Acceptable(SimInvoice? invoice, SimPayment payment) =>
        invoice is not null
        && invoice.State == InvoiceState.Open
        && !invoice.IsExpired(DateTimeOffset.UtcNow)
        && (invoice.ValueMsat == 0 || payment.ValueMsat >= invoice.ValueMsat)
        && invoice.Htlcs.All(h => h.State == InvoiceHTLCState.Canceled || h.Payment == payment);

    /// <summary>The payee settles every HTLC of the set with the preimage; the settle then travels back to the payer
    /// part by part, moving the balances hop by hop.</summary>
    public void SettleLocked(SimNodeState payee, SimInvoice invoice, byte[] preimage)
    {
        var now = DateTimeOffset.UtcNow;
        var settled = new List<SimInvoiceHtlc>();
        foreach (var htlc in invoice.Htlcs.Where(h => h.State == InvoiceHTLCState.Accepted))
        {
            htlc.State = InvoiceHTLCState.Settled;
            htlc.ResolveTime = now;
            settled.Add(htlc);
        }

        invoice.Preimage = preimage;
        invoice.AmountPaidMsat = invoice.HeldMsat;
        SimNetwork.MarkSettled(payee, invoice);
        foreach (var htlc in settled)
        {
            _ = SettleBackAsync(htlc.Payment, htlc.Attempt, preimage);
        }
    }

    /// <summary>The payee cancels every HTLC it holds for the invoice. Returns them, to be failed back to their
    /// payers with <see cref="FailBackCancelled"/> once the invoice itself shows CANCELED.</summary>
    public static List<SimInvoiceHtlc> CancelHtlcsLocked(SimInvoice invoice)
    {
        var cancelled = invoice.Htlcs.Where(h => h.State == InvoiceHTLCState.Accepted).ToList();
        foreach (var htlc in cancelled)
        {
            htlc.State = InvoiceHTLCState.Canceled;
            htlc.ResolveTime = DateTimeOffset.UtcNow;
            htlc.Payment.PendingFailure ??= PaymentFailureReason.FailureReasonIncorrectPaymentDetails;
        }

        invoice.AmountPaidMsat = invoice.HeldMsat;
        return cancelled;
    }

    public void FailBackCancelled(IEnumerable<SimInvoiceHtlc> cancelled)
    {
        foreach (var htlc in cancelled)
        {
            _ = FailBackAsync(htlc.Payment, htlc.Attempt, FailureCode.IncorrectOrUnknownPaymentDetails, (uint)htlc.Attempt.Route.Hops.Count);
        }
    }

    /// <summary>A set that can no longer complete is given back (LND's payee would after its MPP timeout).</summary>
    private void CancelPartialSetLocked(SimInvoice invoice, SimPayment payment)
    {
        if (invoice.State != InvoiceState.Open)
        {
            return;
        }

        foreach (var htlc in invoice.Htlcs.Where(h => h.Payment == payment && h.State == InvoiceHTLCState.Accepted).ToList())
        {
            htlc.State = InvoiceHTLCState.Canceled;
            htlc.ResolveTime = DateTimeOffset.UtcNow;
            _ = FailBackAsync(payment, htlc.Attempt, FailureCode.MppTimeout, (uint)htlc.Attempt.Route.Hops.Count);
        }

        invoice.AmountPaidMsat = invoice.HeldMsat;
    }

    private async Task SettleBackAsync(SimPayment payment, SimAttempt attempt, byte[] preimage)
    {
        await HopsAsync(attempt.Route.Hops.Reverse()).ConfigureAwait(false);
        lock (network.Gate)
        {
            foreach (var hop in attempt.Route.Hops)
            {
                hop.Channel.Credit(hop.To, hop.AmountMsat);
            }

            attempt.Status = HTLCStatus.Succeeded;
            attempt.Preimage = preimage;
            attempt.ResolveTime = DateTimeOffset.UtcNow;
            payment.Preimage = preimage;
            if (!payment.Attempts.Any(a => a.Status == HTLCStatus.InFlight))
            {
                FinishLocked(payment, PaymentStatus.Succeeded, PaymentFailureReason.FailureReasonNone);
                return;
            }

            Changed(payment);
        }
    }

    /// <summary>A failed part travels back from the failing node and the payer releases its balances. Unless
    /// <paramref name="resending"/> (and the payment can still succeed), the payment ends once no part is left in
    /// flight. Answers whether the part may be sent again.</summary>
    private async Task<bool> FailBackAsync(SimPayment payment, SimAttempt attempt, FailureCode code, uint sourceIndex, bool resending = false)
    {
        await HopsAsync(attempt.Route.Hops.Take((int)sourceIndex).Reverse()).ConfigureAwait(false);
        lock (network.Gate)
        {
            Release(attempt.Route);
            attempt.Status = HTLCStatus.Failed;
            attempt.FailureCode = code;
            attempt.FailureSourceIndex = sourceIndex;
            attempt.ResolveTime = DateTimeOffset.UtcNow;
            if (!resending || payment.PendingFailure is not null)
            {
                FinishIfSettledLocked(payment);
                return false;
            }

            Changed(payment);
            return true;
        }
    }

    /// <summary>After the profile's pause, the failed part's amount on a new route (null when the payment cannot go
    /// on: past its timeout, or no route left, which ends it once no part is in flight).</summary>
    private async Task<SimAttempt?> ResendAsync(SimPayment payment, SimAttempt failed, PaymentTarget target, SendOptions options, string payer, string payee)
    {
        var pause = ProfileTimings.For(network.Profile).RetryPause;
        if (pause > TimeSpan.Zero)
        {
            await Task.Delay(pause).ConfigureAwait(false);
        }

        lock (network.Gate)
        {
            if (payment.PendingFailure is null && DateTimeOffset.UtcNow - payment.Created > options.Timeout)
            {
                payment.PendingFailure = PaymentFailureReason.FailureReasonTimeout;
            }

            var route = payment.PendingFailure is null
                ? FindRoute(payer, payee, failed.AmountMsat, target, options, payment.FeeMsat)
                : null;
            if (route is null)
            {
                payment.PendingFailure ??= PaymentFailureReason.FailureReasonNoRoute;
                if (network.NodeLocked(payee).Invoices.GetValueOrDefault(SimNodeState.Hex(payment.PaymentHash)) is { } invoice)
                {
                    CancelPartialSetLocked(invoice, payment);
                }

                FinishIfSettledLocked(payment);
                return null;
            }

            Hold(route);
            var next = Record(payment, route);
            Changed(payment);
            return next;
        }
    }

    private static void FinishIfSettledLocked(SimPayment payment)
    {
        if (payment.Attempts.Any(a => a.Status == HTLCStatus.InFlight))
        {
            Changed(payment);
            return;
        }

        FinishLocked(payment, PaymentStatus.Failed, payment.PendingFailure ?? PaymentFailureReason.FailureReasonError);
    }

    /// <summary>Waits out each hop in turn: the profile's latency plus any extra either end of the hop asks for.</summary>
    private async Task HopsAsync(IEnumerable<RouteHop> hops)
    {
        var latency = ProfileTimings.For(network.Profile).HopLatency;
        foreach (var hop in hops.ToList())
        {
            var delay = latency + network.Read(() => network.NodeLocked(hop.From).ExtraHopLatency + network.NodeLocked(hop.To).ExtraHopLatency);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay).ConfigureAwait(false);
            }
        }
    }

    private static void Hold(FoundRoute route)
    {
        foreach (var hop in route.Hops)
        {
            hop.Channel.Debit(hop.From, hop.AmountMsat);
        }
    }

    private static void Release(FoundRoute route)
    {
        foreach (var hop in route.Hops)
        {
            hop.Channel.Credit(hop.From, hop.AmountMsat);
        }
    }

    public static void FinishLocked(SimPayment payment, PaymentStatus status, PaymentFailureReason reason)
    {
        payment.Status = status;
        payment.FailureReason = reason;
        Changed(payment);
    }

    public static void Changed(SimPayment payment)
    {
        var done = payment.Changed;
        payment.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.TrySetResult();
    }
}
