using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>
/// What a real LND does that the simulator does not yet: a payment in flight at the buyer's node before the seller's
/// hold invoice is ACCEPTED (the seller's node is made to report it OPEN a while longer), a route probe that finds no
/// route or a dear one, and the fee and time-lock limits every payment carries.
/// </summary>
public sealed class RealLndPaymentTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly SellerOptions Seller = new() { InterfaceName = "ivs-reallnd", Endpoint = "192.0.2.1:51820" };
    private static readonly BuyerOptions ConfigOnly = new() { ConfigOnly = true, ReplyTimeout = TimeSpan.FromSeconds(30) };

    /// <summary>Makes the seller's node report a held invoice as still OPEN for its next <paramref name="times"/>
    /// lookups, and counts them.</summary>
    private sealed class LateArrival(int times)
    {
        private int _left = times;

        public int Reported { get; private set; }

        public InvoiceInfo? Rewrite(InvoiceInfo? invoice)
        {
            if (invoice is { State: InvoiceState.Accepted } && _left > 0)
            {
                _left--;
                Reported++;
                return invoice with { State = InvoiceState.Open };
            }

            return invoice;
        }
    }

    /// <summary>The activate requests a buyer's node sent, one per request id (a repeat of a request is the same one).</summary>
    private static List<string> ActivateRequests(HookedLightningNode buyer) =>
        buyer.Sent.Where(m => m.Method == PeerProtocol.Activate).Select(m => m.Id!).Distinct().ToList();

    /// <summary>How many "not yet" (1012) answers a seller's node sent.</summary>
    private static int NotYetAnswers(HookedLightningNode seller) =>
        seller.Sent.Count(m => m.Error?.Code == (int)ProtocolErrorCode.PaymentNotYetHeld);

    [Fact]
    public async Task A_payment_the_seller_does_not_hold_yet_is_waited_for_by_the_seller_and_the_purchase_goes_through()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var late = new LateArrival(3);
        var bob = new HookedLightningNode(net.BobNode) { RewriteLookupInvoice = late.Rewrite };
        await net.StartSellerAsync(new RecordingWireGuard(), Seller, bob);
        var alice = new HookedLightningNode(net.AliceNode);
        await using var buyer = net.Buyer(null, alice);
        var before = net.AliceMsat;

        var contract = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);

        Assert.Equal(BoughtContractState.Active, contract.State);
        Assert.Equal(before - 1_000_000, net.AliceMsat);
        // The seller saw the invoice still open, and waited: the buyer asked once and was never told "not yet" (a
        // seller that answered at once would have said 1012 and been asked again).
        Assert.True(late.Reported > 0);
        Assert.Single(ActivateRequests(alice));
        Assert.Equal(0, NotYetAnswers(bob));
    }

    [Fact]
    public async Task A_seller_that_answers_not_yet_is_asked_again_while_the_payment_is_in_flight_until_it_holds_it()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        // Each activate looks twice (before and after its wait, here none): three "not yet" answers, then the tunnel.
        var late = new LateArrival(6);
        var bob = new HookedLightningNode(net.BobNode) { RewriteLookupInvoice = late.Rewrite };
        await net.StartSellerAsync(new RecordingWireGuard(), Seller with { PaymentArrivalWait = TimeSpan.Zero }, bob);
        var alice = new HookedLightningNode(net.AliceNode);
        await using var buyer = net.Buyer(null, alice);
        var before = net.AliceMsat;

        var contract = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);

        Assert.Equal(BoughtContractState.Active, contract.State);
        Assert.True(NotYetAnswers(bob) >= 1);
        Assert.True(ActivateRequests(alice).Count >= 2);
        Assert.Equal(before - 1_000_000, net.AliceMsat);
    }

    [Fact]
    public async Task A_refresh_the_seller_does_not_hold_yet_is_asked_again_and_goes_through()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var late = new LateArrival(0);
        var bob = new HookedLightningNode(net.BobNode) { RewriteLookupInvoice = invoice => late.Rewrite(invoice) };
        await net.StartSellerAsync(new RecordingWireGuard(), Seller with { PaymentArrivalWait = TimeSpan.Zero }, bob);
        await using var buyer = net.Buyer(null);
        var contract = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        late = new LateArrival(4);

        var notYetBefore = NotYetAnswers(bob);

        var refreshed = await buyer.RefreshAsync(contract.Id, TimeSpan.FromHours(1), ConfigOnly, None);

        Assert.Equal(contract.ExpiresAt!.Value.AddHours(1), refreshed.ExpiresAt);
        Assert.True(NotYetAnswers(bob) > notYetBefore);
    }

    [Fact]
    public async Task A_payment_that_fails_while_the_seller_says_not_yet_ends_the_purchase_as_failed_and_cancelled()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var saidNotYet = false;
        var bob = new HookedLightningNode(net.BobNode)
        {
            RewriteLookupInvoice = invoice =>
            {
                if (invoice is not { State: InvoiceState.Accepted })
                {
                    return invoice;
                }

                saidNotYet = true;
                return invoice with { State = InvoiceState.Open };
            },
        };
        await net.StartSellerAsync(new RecordingWireGuard(), Seller with { PaymentArrivalWait = TimeSpan.Zero }, bob);
        // Once the seller has said "not yet", the buyer's node reports the payment failed (its parts timed out).
        var alice = new HookedLightningNode(net.AliceNode)
        {
            RewriteTrackPayment = payment => saidNotYet && payment is not null ? payment with { Status = PaymentStatus.Failed, FailureReason = PaymentFailureReason.Timeout } : payment,
        };
        await using var buyer = net.Buyer(null, alice);

        var error = await Assert.ThrowsAsync<PurchaseException>(async () =>
            await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None));

        Assert.Equal(PurchaseError.PaymentFailed, error.Error);
        Assert.Contains("nothing was spent", error.Message);
        Assert.Equal(BoughtContractState.Cancelled, buyer.List().Single().State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_payment_stream_that_breaks_while_the_seller_says_not_yet_is_followed_through_the_node(bool nodeUnreachable)
    {
        await using var net = await PurchaseNetwork.StartAsync();
        // The buyer's SendPaymentV2 stream breaks (the payment goes on at its node) when the seller first looks at
        // the held invoice, which it reports still open until the buyer has asked its node about the payment.
        var stream = new TaskCompletionSource<PaymentResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var broken = false;
        var askedNodeSince = false;
        var alice = new HookedLightningNode(net.AliceNode)
        {
            RewritePay = _ => stream.Task,
            RewriteTrackPayment = payment =>
            {
                askedNodeSince |= Volatile.Read(ref broken);
                return payment;
            },
            FailTrackPayment = () => nodeUnreachable && Volatile.Read(ref broken) ? new NodeUnreachableException("127.0.0.1:10009", "The node did not answer.") : null,
        };
        var bob = new HookedLightningNode(net.BobNode)
        {
            RewriteLookupInvoice = invoice =>
            {
                if (invoice is not { State: InvoiceState.Accepted } || askedNodeSince)
                {
                    return invoice;
                }

                Volatile.Write(ref broken, true);
                stream.TrySetException(new LightningException("The payment stream ended unexpectedly."));
                return invoice with { State = InvoiceState.Open };
            },
        };
        await net.StartSellerAsync(new RecordingWireGuard(), Seller with { PaymentArrivalWait = TimeSpan.Zero }, bob);
        await using var buyer = net.Buyer(null, alice);
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);

        if (nodeUnreachable)
        {
            // Not a raw transport error: the documented, resumable end.
            var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote, ConfigOnly, None));
            Assert.Equal(PurchaseError.PaymentUnfinished, error.Error);
            Assert.IsType<NodeUnreachableException>(error.InnerException);
            Assert.Equal(BoughtContractState.Paying, Assert.Single(buyer.List()).State);
            Assert.Equal(error.ContractId, Assert.Single(buyer.List()).Id);
        }
        else
        {
            Assert.Equal(BoughtContractState.Active, (await buyer.ConfirmAsync(quote, ConfigOnly, None)).State);
        }
    }

    [Fact]
    public async Task A_payment_stream_that_breaks_at_once_on_a_node_that_cannot_be_asked_ends_unfinished_not_as_a_raw_error()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), Seller);
        var paid = false;
        var alice = new HookedLightningNode(net.AliceNode)
        {
            // The payment goes on at the node, but the stream following it breaks at once and the node stops answering.
            RewritePay = _ => Task.FromException<PaymentResult>(new LightningException("The payment stream ended unexpectedly.")),
            AfterPayStarted = () => Volatile.Write(ref paid, true),
            FailTrackPayment = () => Volatile.Read(ref paid) ? new NodeUnreachableException("127.0.0.1:10009", "The node did not answer.") : null,
        };
        await using var buyer = net.Buyer(null, alice);

        var error = await Assert.ThrowsAsync<PurchaseException>(async () =>
            await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None));

        Assert.Equal(PurchaseError.PaymentUnfinished, error.Error);
        Assert.Equal(BoughtContractState.Paying, Assert.Single(buyer.List()).State);
    }

    [Fact]
    public async Task A_payment_the_buyers_node_no_longer_reports_is_not_waited_for_but_left_recorded()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var saidNotYet = false;
        var bob = new HookedLightningNode(net.BobNode)
        {
            RewriteLookupInvoice = invoice =>
            {
                if (invoice is not { State: InvoiceState.Accepted })
                {
                    return invoice;
                }

                Volatile.Write(ref saidNotYet, true);
                return invoice with { State = InvoiceState.Open };
            },
        };
        await net.StartSellerAsync(new RecordingWireGuard(), Seller with { PaymentArrivalWait = TimeSpan.Zero }, bob);
        // Once the seller has said "not yet", the buyer's node knows no payment for the hash.
        var activatesWhenUnknown = -1;
        HookedLightningNode alice = null!;
        alice = new HookedLightningNode(net.AliceNode)
        {
            RewriteTrackPayment = payment =>
            {
                if (!Volatile.Read(ref saidNotYet))
                {
                    return payment;
                }

                Interlocked.CompareExchange(ref activatesWhenUnknown, ActivateRequests(alice).Count, -1);
                return null;
            },
        };
        await using var buyer = net.Buyer(null, alice);

        var error = await Assert.ThrowsAsync<PurchaseException>(async () =>
            await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None));

        Assert.Equal(PurchaseError.PaymentUnfinished, error.Error);
        Assert.Contains("no longer reports", error.Message);
        // Not asked again once the node stopped reporting it: only a payment the node reports in flight is waited for.
        Assert.True(activatesWhenUnknown > 0);
        Assert.Equal(activatesWhenUnknown, ActivateRequests(alice).Count);
        Assert.Equal(BoughtContractState.Paying, Assert.Single(buyer.List()).State);
    }

    [Fact]
    public async Task An_invoice_cancelled_while_the_seller_waits_is_answered_not_paid_which_is_final()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var lookups = 0;
        // Open at first (the payment on its way), then cancelled (the seller's node gave up on the set).
        var bob = new HookedLightningNode(net.BobNode)
        {
            RewriteLookupInvoice = invoice => invoice is { State: InvoiceState.Accepted }
                ? invoice with { State = Interlocked.Increment(ref lookups) == 1 ? InvoiceState.Open : InvoiceState.Canceled }
                : invoice,
        };
        await net.StartSellerAsync(new RecordingWireGuard(), Seller, bob);
        var alice = new HookedLightningNode(net.AliceNode);
        await using var buyer = net.Buyer(null, alice);

        var error = await Assert.ThrowsAsync<PurchaseException>(async () =>
            await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None));

        Assert.Equal(PurchaseError.ActivationFailed, error.Error);
        Assert.Equal(ProtocolErrorCode.NotPaid, Assert.IsType<ProtocolException>(error.InnerException!.InnerException).Code);
        // Waited for, then answered from the invoice's state after the wait: "not paid" to the one activate, no "not yet".
        Assert.True(lookups >= 2);
        Assert.Single(ActivateRequests(alice));
        Assert.Equal(0, NotYetAnswers(bob));
    }

    [Fact]
    public async Task Every_payment_carries_a_fee_limit_that_grows_with_its_amount_and_the_cltv_limit()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), Seller with { Pricing = Pricing.Default with { PricePerHourSat = 5_000 } });
        var alice = new HookedLightningNode(net.AliceNode);
        await using var buyer = net.Buyer(null, alice);

        // The simulator has no Router.EstimateRouteFee (Unimplemented, as an older LND): the purchase goes on without it.
        var contract = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);

        Assert.Equal(BoughtContractState.Active, contract.State);
        var payment = Assert.Single(alice.Payments);
        Assert.Equal(50, payment.FeeLimitSat);
        Assert.Equal(RoutingFeeLimit.DefaultFor(5_000), payment.FeeLimitSat);
        Assert.Equal(PaymentOnce.CltvLimit, payment.CltvLimit);
        Assert.Single(alice.Probes);
    }

    [Fact]
    public async Task A_probe_certain_of_no_route_stops_the_purchase_before_any_money_moves_and_cancels_it_so_it_can_be_removed()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), Seller);
        // Alice's channel to Bob could send the 1,000 sat and their fee limit alone: the one-part probe is certain.
        var alice = new HookedLightningNode(net.AliceNode) { EstimateRouteFee = _ => new RouteFeeEstimate(0, 0, PaymentFailureReason.NoRoute) };
        await using var buyer = net.Buyer(null, alice);
        var before = net.AliceMsat;
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);

        var noRoute = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote, ConfigOnly, None));

        Assert.Equal(PurchaseError.NoRoute, noRoute.Error);
        Assert.Contains("Nothing was paid", noRoute.Message);
        Assert.Empty(alice.Payments);
        Assert.Equal(before, net.AliceMsat);
        // The node was never asked to pay: nothing of the purchase stands, and nothing holds the contract.
        var recorded = Assert.Single(buyer.List());
        Assert.Equal(recorded.Id, noRoute.ContractId);
        Assert.Equal(BoughtContractState.Cancelled, recorded.State);
        Assert.Null(TunnelRemoval.Refusal(recorded, evenWithTimeLeft: false));
    }

    [Fact]
    public async Task A_probe_that_finds_only_a_route_dearer_than_the_limit_lets_the_payment_go_on_held_to_that_limit()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), Seller);
        // LND's probe chose its route under its own fee limit; the payment searches again under the buyer's.
        var alice = new HookedLightningNode(net.AliceNode) { EstimateRouteFee = _ => new RouteFeeEstimate(25_000, 200, PaymentFailureReason.None) };
        await using var buyer = net.Buyer(null, alice);

        var bought = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);

        Assert.Equal(BoughtContractState.Active, bought.State);
        Assert.Equal(10, Assert.Single(alice.Payments).FeeLimitSat);
        Assert.All(alice.Probes, p => Assert.NotNull(p.PaymentRequest));
    }

    [Fact]
    public async Task A_refresh_whose_probe_finds_no_route_pays_nothing_and_holds_no_later_run()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), Seller);
        var alice = new HookedLightningNode(net.AliceNode);
        await using var buyer = net.Buyer(null, alice);
        var contract = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        alice.EstimateRouteFee = _ => new RouteFeeEstimate(0, 0, PaymentFailureReason.InsufficientBalance);
        var before = net.AliceMsat;

        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.RefreshAsync(contract.Id, TimeSpan.FromHours(1), ConfigOnly, None));

        Assert.Equal(PurchaseError.NoRoute, error.Error);
        Assert.Equal(PaymentKind.Refresh, error.Kind);
        Assert.Equal(before, net.AliceMsat);
        Assert.Null(net.BoughtContracts.Get(contract.Id).RefreshBeingPaid);
    }

    [Fact]
    public async Task A_scheduled_refresh_left_in_flight_is_charged_to_the_runs_budget_so_the_next_is_not_paid_beyond_it()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        // The first refresh invoice the seller sees held it reports open for ever: that refresh stays in flight.
        byte[]? stuck = null;
        var refreshing = false;
        var bob = new HookedLightningNode(net.BobNode)
        {
            RewriteLookupInvoice = invoice =>
            {
                if (invoice is not { State: InvoiceState.Accepted } || !Volatile.Read(ref refreshing))
                {
                    return invoice;
                }

                var hash = Interlocked.CompareExchange(ref stuck, invoice.PaymentHash, null) ?? invoice.PaymentHash;
                return hash.AsSpan().SequenceEqual(invoice.PaymentHash) ? invoice with { State = InvoiceState.Open } : invoice;
            },
        };
        await net.StartSellerAsync(new RecordingWireGuard(), Seller with { PaymentArrivalWait = TimeSpan.Zero }, bob);
        await using var buyer = net.Buyer(null);
        for (var i = 0; i < 2; i++)
        {
            await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        }

        Volatile.Write(ref refreshing, true);
        var before = net.AliceMsat;

        // 1,500 sat: either refresh (1,000 sat and at most 10 sat of fee) fits, not both.
        var budget = new RefreshBudget(1_500);
        var outcomes = await buyer.RefreshDueAsync(TimeSpan.FromHours(2), TimeSpan.FromHours(1), budget, ConfigOnly with { ActivationWait = TimeSpan.Zero }, None);

        Assert.Equal(2, outcomes.Count);
        Assert.Equal(PurchaseError.PaymentUnfinished, Assert.IsType<PurchaseException>(outcomes[0].Failure).Error);
        Assert.Equal(PurchaseError.BudgetExhausted, Assert.IsType<PurchaseException>(outcomes[1].Failure).Error);
        Assert.Equal(1_010, budget.SpentSat);
        // Only the refresh in flight left the node.
        Assert.True(before - net.AliceMsat <= 1_010_000);
    }

    [Fact]
    public async Task A_seller_reachable_only_through_private_channels_issues_invoices_with_route_hints()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var bob = new HookedLightningNode(net.BobNode) { Channels = [new ChannelSummary(net.Simulation["alice"].PubKey, true, true, 1_000_000)] };
        await net.StartSellerAsync(new RecordingWireGuard(), Seller, bob);
        await using var buyer = net.Buyer(null);

        var contract = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);

        Assert.Equal(BoughtContractState.Active, contract.State);
        Assert.True(Assert.Single(bob.HoldInvoices).Private);
    }
}
