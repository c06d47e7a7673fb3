using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>
/// Paying a hold invoice at most once, as purchase and refresh both do: the node is asked about the payment hash
/// first, and only a payment it never attempted (or one that failed) is started. Then the payment is followed until
/// the seller holds it (IN_FLIGHT), and later to its end.
/// </summary>
public sealed class PaymentOnce(ILightningNode node, IProgressLog log)
{
    // LND's own default for a payment's timeout; the hold invoice keeps it in flight past that, until settled.
    private static readonly TimeSpan PaymentTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The most blocks (about a week) a payment's route may lock this buyer's money for: a seller that holds
    /// the payment and neither settles nor cancels it keeps it no longer than this. LND's own maximum is 2016.</summary>
    public const int CltvLimit = 1008;

    // Pauses between asking a seller that has not yet received the whole payment to activate again.
    private static readonly TimeSpan FirstActivatePause = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestActivatePause = TimeSpan.FromSeconds(5);

    /// <summary>Starts paying <paramref name="paymentRequest"/> unless the node already has a payment for
    /// <paramref name="hash"/> that is under way or done; returns the payment started, or null. Before a payment
    /// starts, a route probe (<see cref="RouteProbe"/>) must find a route within <paramref name="feeLimitSat"/>
    /// wherever the node can probe; the payment's route may lock the money for at most <see cref="CltvLimit"/> blocks.</summary>
    public async Task<Task<PaymentResult>?> StartUnlessAttemptedAsync(
        byte[] hash, string paymentRequest, long amountSat, long feeLimitSat, BuyerOptions options, string contractId, PaymentKind kind, CancellationToken cancellationToken)
    {
        var earlier = await node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false);
        if (earlier is not null && earlier.Status != PaymentStatus.Failed)
        {
            log.Log(LogLevel.Verbose, $"The node already has the payment {Hex(hash)[..16]}… ({earlier.Status}); not paying again.");
            return null;
        }

        await RouteProbe.RequireRouteAsync(node, paymentRequest, amountSat, feeLimitSat, options.ProbeTimeout, log, contractId, kind, cancellationToken).ConfigureAwait(false);
        return FollowAsync(node.PayAsync(new PaymentOrder(paymentRequest, feeLimitSat, PaymentTimeout, CltvLimit), cancellationToken), hash, cancellationToken);
    }

    /// <summary>The payment's end as its SendPaymentV2 stream tells it; when the stream breaks (a transport error, a
    /// node restarting) the payment goes on at the node, so it is followed there (TrackPaymentV2) instead of ending
    /// with the stream's error. A payment the node does not know (it refused to start it) keeps the error.</summary>
    private async Task<PaymentResult> FollowAsync(Task<PaymentResult> paying, byte[] hash, CancellationToken cancellationToken)
    {
        try
        {
            return await paying.ConfigureAwait(false);
        }
        catch (LightningException e)
        {
            PaymentResult? known;
            try
            {
                known = await node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false);
                if (known is { Status: PaymentStatus.InFlight })
                {
                    log.Log(LogLevel.Verbose, $"The payment's stream ended ({e.Message}); following the payment {Hex(hash)[..16]}… at the node.");
                    known = await node.TrackPaymentAsync(hash, waitForFinal: true, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (LightningException)
            {
                known = null;
            }

            if (known is null)
            {
                throw;
            }

            return known;
        }
    }

    /// <summary>Asks the seller to activate (<paramref name="request"/>: a purchase's or a refresh's payment hash)
    /// until it answers. On a real network the payment is in flight here before the seller holds all of it: while
    /// the seller answers "not yet" (1012) and the payment is still in flight, it is asked again after a pause that
    /// grows from 0.5 s to 5 s, for up to <see cref="BuyerOptions.ActivationWait"/>. A payment that fails meanwhile
    /// ends it (<see cref="PurchaseError.PaymentFailed"/>: nothing was spent); one still in flight at the bound ends
    /// as <see cref="PurchaseError.PaymentUnfinished"/>, recorded, for a later run to finish.</summary>
    public async Task<ActivateResponse> ActivateWhenHeldAsync(
        SellerLink link, SellerNode seller, ActivateRequest request, Task<PaymentResult>? paying, BuyerOptions options, PaymentKind kind, CancellationToken cancellationToken)
    {
        var hash = Convert.FromHexString(request.PaymentHash);
        var deadline = DateTime.UtcNow + options.ActivationWait;
        var pause = FirstActivatePause;
        while (true)
        {
            try
            {
                return await link.CallAsync<ActivateResponse>(seller, PeerProtocol.Activate, request, options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (PurchaseException e) when (e.InnerException is ProtocolException { Code: ProtocolErrorCode.PaymentNotYetHeld })
            {
                var now = await PaymentNowAsync(hash, paying, request.ContractId, kind, cancellationToken).ConfigureAwait(false);
                if (now is { Status: PaymentStatus.Failed })
                {
                    throw new PurchaseException(PurchaseError.PaymentFailed,
                        $"The payment for contract {request.ContractId} failed ({now.FailureReason}) before the seller held all of it; nothing was spent.",
                        e, request.ContractId, kind: kind);
                }

                if (now is null)
                {
                    // Asked again only while the node reports the payment under way. One it started (the seller saw
                    // enough of it to say "not yet") and no longer knows is no reason to wait; it is left recorded,
                    // and the next run asks the node again before paying.
                    throw new PurchaseException(PurchaseError.PaymentUnfinished,
                        $"Your node no longer reports the payment for contract {request.ContractId}, which the seller has not received in full; it is recorded, and running the same command again asks your node about it first. The preimage stays on this machine.",
                        e, request.ContractId, kind: kind);
                }

                if (DateTime.UtcNow + pause >= deadline)
                {
                    throw new PurchaseException(PurchaseError.PaymentUnfinished,
                        $"The seller has not received the whole payment for contract {request.ContractId} within {options.ActivationWait.TotalSeconds:0} s; it is {now.Status} and recorded, and running the same command again finishes it. The preimage stays on this machine.",
                        e, request.ContractId, kind: kind);
                }

                log.Log(LogLevel.Verbose, $"Contract {request.ContractId}: the payment is {now?.Status} but the seller does not hold all of it yet; asking again in {pause.TotalSeconds:0.#} s.");
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = pause * 2 < LongestActivatePause ? pause * 2 : LongestActivatePause;
            }
        }
    }

    /// <summary>The payment as it stands: this run's payment when it has ended well, else what the node reports (a
    /// payment stream that broke says nothing about the payment, which goes on at the node). A node that cannot be
    /// asked ends it as <see cref="PurchaseError.PaymentUnfinished"/>: recorded, and finished by a later run.</summary>
    private async Task<PaymentResult?> PaymentNowAsync(byte[] hash, Task<PaymentResult>? paying, string contractId, PaymentKind kind, CancellationToken cancellationToken)
    {
        if (paying is { IsCompletedSuccessfully: true })
        {
            return paying.Result;
        }

        try
        {
            return await node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false);
        }
        catch (LightningException e)
        {
            throw new PurchaseException(PurchaseError.PaymentUnfinished,
                $"Your node could not be asked about the payment for contract {contractId} ({e.Message}); it is recorded, and running the same command again finishes it. The preimage stays on this machine.",
                e, contractId, kind: kind);
        }
    }

    /// <summary>Waits until the payment is held by the seller (IN_FLIGHT), has succeeded, or has failed.</summary>
    /// <param name="contractId">the contract paid for, named when the payment does not start in time (it may still).</param>
    public async Task<PaymentResult> WaitUntilHeldAsync(byte[] hash, Task<PaymentResult>? paying, string contractId, PaymentKind kind, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + PaymentTimeout;
        // The payment is usually in flight within milliseconds: ask again soon, then back off to 50 ms.
        var pause = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            if (paying is { IsCompleted: true })
            {
                if (paying.IsCompletedSuccessfully || paying.IsCanceled)
                {
                    return await paying.ConfigureAwait(false);
                }

                // The payment's stream ended with an error and the node could not tell more (FollowAsync): ask once
                // more, and end a payment that may still have started as unfinished, never as a raw error.
                var failure = paying.Exception!.InnerException ?? paying.Exception;
                var known = await PaymentNowAsync(hash, paying: null, contractId, kind, cancellationToken).ConfigureAwait(false);
                if (failure is LightningRpcException refusal && known is null)
                {
                    // The node refused to start the payment at all (an expired invoice, say): nothing left it, so it
                    // is a failed payment like any other and the caller records it as such.
                    log.Log(LogLevel.Warning, $"Your node refused the payment: {refusal.Message}");
                    return new PaymentResult(hash, PaymentStatus.Failed, PaymentFailureReason.Error, 0, 0, null);
                }

                return known is { Status: PaymentStatus.InFlight or PaymentStatus.Succeeded or PaymentStatus.Failed }
                    ? known
                    : throw new PurchaseException(PurchaseError.PaymentUnfinished,
                        $"The payment for contract {contractId} ended with an error at your node ({failure.Message}) and your node reports it {known?.Status.ToString() ?? "unknown"}; it is recorded, and running the same command again asks your node about it first.",
                        failure, contractId, kind: kind);
            }

            var state = await node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false);
            if (state is { Status: PaymentStatus.InFlight or PaymentStatus.Succeeded or PaymentStatus.Failed })
            {
                return state;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new PurchaseException(PurchaseError.PaymentUnfinished,
                    $"The payment for contract {contractId} did not start within {PaymentTimeout.TotalSeconds:0} s; it is recorded, and may still start.",
                    contractId: contractId, kind: kind);
            }

            // A payment that ends (fails fast, say) wakes this at once rather than after the pause.
            var delay = Task.Delay(pause, cancellationToken);
            await (paying is null ? delay : Task.WhenAny(paying, delay)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            pause = TimeSpan.FromMilliseconds(Math.Min(50, pause.TotalMilliseconds * 2));
        }
    }

    /// <summary>The payment's final state: from the payment this run started, or from the node for one an earlier
    /// run started.</summary>
    public async Task<PaymentResult?> FinalAsync(byte[] hash, Task<PaymentResult>? paying, CancellationToken cancellationToken) =>
        paying is not null
            ? await paying.ConfigureAwait(false)
            : await node.TrackPaymentAsync(hash, waitForFinal: true, cancellationToken).ConfigureAwait(false);

    // How long a refused claim waits for this run's own payment to end (see ClaimAsync).
    private static readonly TimeSpan RefusalGrace = TimeSpan.FromSeconds(5);

    /// <summary>Gives the seller the preimage (a claim, for a purchase or a refresh) and returns the payment as it stands
    /// after, with the claim's failure if it had no answer. The answer may be lost after the seller settled, so the
    /// payment, not the answer, says what happened: waited on for up to <paramref name="wait"/>, or asked about once
    /// when the seller answered with an error (it did not settle just now).</summary>
    public async Task<(PaymentResult? Payment, PurchaseException? Unanswered)> ClaimAsync(
        SellerLink link, SellerNode seller, ClaimRequest claim, Task<PaymentResult>? paying, TimeSpan wait, CancellationToken cancellationToken)
    {
        PurchaseException? unanswered = null;
        try
        {
            await ForwardedPortRetry.CallAsync(link, seller, claim, paying, wait, log, cancellationToken).ConfigureAwait(false);
        }
        catch (PurchaseException e)
        {
            log.Log(LogLevel.Verbose, $"Contract {claim.ContractId}: no answer to the claim ({e.Message}); asking the node about the payment.");
            unanswered = e;
        }

        var hash = Convert.FromHexString(claim.PaymentHash);
        PaymentResult? payment;
        if (unanswered is { Error: PurchaseError.SellerRefused })
        {
            // A refusal can come from a seller that has just cancelled (its claim deadline passed) and reach this run
            // before the node has seen the payment fail over the hops between: this run's own payment is given a short
            // while to end, so the answer is "failed, returned", not "unfinished". Any other refusal leaves the payment
            // as it was, and the node is asked once.
            payment = paying is not null
                ? await FinalWithinAsync(hash, paying, RefusalGrace, cancellationToken).ConfigureAwait(false)
                : await node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            payment = await FinalWithinAsync(hash, paying, wait, cancellationToken).ConfigureAwait(false);
        }

        return (payment, unanswered);
    }

    /// <summary>The final state if it comes within <paramref name="wait"/>; otherwise the state the node reports then
    /// (null when it knows no such payment).</summary>
    public async Task<PaymentResult?> FinalWithinAsync(byte[] hash, Task<PaymentResult>? paying, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            return paying is not null
                ? await paying.WaitAsync(timeout.Token).ConfigureAwait(false)
                : await node.TrackPaymentAsync(hash, waitForFinal: true, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return await node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
