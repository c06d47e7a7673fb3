using System.Security.Cryptography;
using Google.Protobuf;
using ImpVpn.Lnd.Rpc.Invoicesrpc;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;
using HTLCStatus = ImpVpn.Lnd.Rpc.Lnrpc.HTLCAttempt.Types.HTLCStatus;
using InvoiceState = ImpVpn.Lnd.Rpc.Lnrpc.Invoice.Types.InvoiceState;
using PaymentStatus = ImpVpn.Lnd.Rpc.Lnrpc.Payment.Types.PaymentStatus;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>The simulator's payments live LND's lifecycle: attempts recorded before the HTLC travels, parts, the
/// payee acting on the complete set only, retries, and every attempt in the Payment.</summary>
public sealed class PaymentLifecycleTests
{
    private static async Task<(byte[] Preimage, AddHoldInvoiceResp Invoice)> HoldInvoiceAsync(RawLnd payee, long sat)
    {
        var preimage = RandomNumberGenerator.GetBytes(32);
        var invoice = await payee.Invoices.AddHoldInvoiceAsync(new AddHoldInvoiceRequest { Hash = ByteString.CopyFrom(SHA256.HashData(preimage)), Value = sat });
        return (preimage, invoice);
    }

    [Fact]
    public async Task Under_realistic_the_payment_is_in_flight_with_an_attempt_before_the_payee_sees_the_htlc()
    {
        await using var net = await SimPay.LineAsync(SimProfile.Realistic);
        var (preimage, hold) = await HoldInvoiceAsync(net.Raw("carol"), 20_000);
        var hash = SHA256.HashData(preimage);
        // A slow last hop keeps the HTLC on its way long enough to look at both ends in one atomic read.
        net["carol"].ExtraHopLatency = TimeSpan.FromSeconds(1);

        var payment = net.Simulation.Network.Pay("alice", hold.PaymentRequest, new SendOptions(100_000));
        var (status, attempts, invoiceState, invoiceHtlcs) = net.Simulation.Network.Read(() =>
        {
            var invoice = net.Simulation.Network.LookupInvoice("carol", hash)!.ToProto();
            var recorded = payment.ToProto();
            return (recorded.Status, recorded.Htlcs.Select(h => h.Status).ToList(), invoice.State, invoice.Htlcs.Count);
        });
        Assert.Equal(PaymentStatus.InFlight, status);
        Assert.Equal([HTLCStatus.InFlight], attempts);
        Assert.Equal((InvoiceState.Open, 0), (invoiceState, invoiceHtlcs));

        var accepted = (await SimPay.InvoiceUntilAsync(net.Raw("carol"), hash, InvoiceState.Accepted))[^1];
        var held = await SimPay.TrackUntilAsync(net.Raw("alice"), hash, _ => true);
        Assert.Equal((PaymentStatus.InFlight, HTLCStatus.InFlight), (held.Status, Assert.Single(held.Htlcs).Status));
        Assert.Equal(InvoiceHTLCState.Accepted, Assert.Single(accepted.Htlcs).State);

        await net.Raw("carol").Invoices.SettleInvoiceAsync(new SettleInvoiceMsg { Preimage = ByteString.CopyFrom(preimage) });
        var done = await SimPay.TrackUntilAsync(net.Raw("alice"), hash, SimPay.IsFinal);
        Assert.Equal(PaymentStatus.Succeeded, done.Status);
        Assert.Equal(HTLCStatus.Succeeded, Assert.Single(done.Htlcs).Status);
    }

    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task The_first_update_of_a_payment_is_in_flight_with_an_in_flight_attempt(SimProfile profile)
    {
        await using var net = await SimPay.LineAsync(profile);
        var (preimage, hold) = await HoldInvoiceAsync(net.Raw("carol"), 20_000);

        using var call = net.Raw("alice").Router.SendPaymentV2(SimPay.Request(hold.PaymentRequest));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var first = call.ResponseStream.Current;
        Assert.Equal(PaymentStatus.InFlight, first.Status);
        Assert.Equal(HTLCStatus.InFlight, Assert.Single(first.Htlcs).Status);

        await SimPay.InvoiceUntilAsync(net.Raw("carol"), SHA256.HashData(preimage), InvoiceState.Accepted);
        await net.Raw("carol").Invoices.SettleInvoiceAsync(new SettleInvoiceMsg { Preimage = ByteString.CopyFrom(preimage) });
        var done = await SimPay.TrackUntilAsync(net.Raw("alice"), SHA256.HashData(preimage), SimPay.IsFinal);
        Assert.Equal(PaymentStatus.Succeeded, done.Status);
    }

    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task A_split_hold_invoice_turns_accepted_only_on_the_complete_set_and_every_part_settles(SimProfile profile)
    {
        await using var net = await SimPay.LineAsync(profile);
        var (preimage, hold) = await HoldInvoiceAsync(net.Raw("carol"), 90_000);
        var hash = SHA256.HashData(preimage);
        net["alice"].SplitNextPayment(3);

        var paying = SimPay.PayAsync(net.Raw("alice"), SimPay.Request(hold.PaymentRequest));
        var updates = await SimPay.InvoiceUntilAsync(net.Raw("carol"), hash, InvoiceState.Accepted);

        Assert.All(updates[..^1], u => Assert.Equal(InvoiceState.Open, u.State));
        var accepted = updates[^1];
        Assert.Equal(3, accepted.Htlcs.Count);
        Assert.All(accepted.Htlcs, h => Assert.Equal((InvoiceHTLCState.Accepted, 90_000_000UL), (h.State, h.MppTotalAmtMsat)));
        Assert.Equal(90_000_000UL, (ulong)accepted.Htlcs.Sum(h => (long)h.AmtMsat));
        Assert.Equal(90_000_000, accepted.AmtPaidMsat);
        Assert.False(paying.IsCompleted);

        await net.Raw("carol").Invoices.SettleInvoiceAsync(new SettleInvoiceMsg { Preimage = ByteString.CopyFrom(preimage) });
        var final = (await paying)[^1];
        Assert.Equal(PaymentStatus.Succeeded, final.Status);
        Assert.Equal(3, final.Htlcs.Count);
        Assert.All(final.Htlcs, h =>
        {
            Assert.Equal(HTLCStatus.Succeeded, h.Status);
            Assert.Equal(preimage, h.Preimage.ToByteArray());
            Assert.Equal(90_000_000, h.Route.Hops[^1].MppRecord.TotalAmtMsat);
        });
        Assert.Equal(90_000_000, final.Htlcs.Sum(h => h.Route.Hops[^1].AmtToForwardMsat));
        Assert.Equal(final.Htlcs.Sum(h => h.Route.TotalFeesMsat), final.FeeMsat);
        var settled = await net.Raw("carol").Lightning.LookupInvoiceAsync(new PaymentHash { RHash = ByteString.CopyFrom(hash) });
        Assert.All(settled.Htlcs, h => Assert.Equal(InvoiceHTLCState.Settled, h.State));
    }

    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task A_payment_too_big_for_any_one_channel_splits_only_under_realistic(SimProfile profile)
    {
        await using var net = await TestNetwork.StartAsync(profile, "alice", "bob");
        await net.Simulation.OpenChannelAsync("alice", "bob", 100_000);
        await net.Simulation.OpenChannelAsync("alice", "bob", 100_000);
        var invoice = await net.Raw("bob").Lightning.AddInvoiceAsync(new Invoice { Value = 150_000 });

        var final = (await SimPay.PayAsync(net.Raw("alice"), SimPay.Request(invoice.PaymentRequest)))[^1];

        if (profile == SimProfile.Ideal)
        {
            Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.FailureReasonNoRoute), (final.Status, final.FailureReason));
            Assert.Empty(final.Htlcs);
            return;
        }

        Assert.Equal(PaymentStatus.Succeeded, final.Status);
        Assert.True(final.Htlcs.Count >= 2);
        Assert.Equal(2, final.Htlcs.Select(h => h.Route.Hops[0].ChanId).Distinct().Count());
        Assert.Equal(150_000_000, final.Htlcs.Sum(h => h.Route.TotalAmtMsat));
    }

    [Fact]
    public async Task Max_parts_one_forbids_a_split()
    {
        await using var net = await TestNetwork.StartAsync(SimProfile.Realistic, "alice", "bob");
        await net.Simulation.OpenChannelAsync("alice", "bob", 100_000);
        await net.Simulation.OpenChannelAsync("alice", "bob", 100_000);
        var invoice = await net.Raw("bob").Lightning.AddInvoiceAsync(new Invoice { Value = 150_000 });
        var request = SimPay.Request(invoice.PaymentRequest);
        request.MaxParts = 1;

        var final = (await SimPay.PayAsync(net.Raw("alice"), request))[^1];

        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.FailureReasonNoRoute), (final.Status, final.FailureReason));
    }

    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task A_failed_part_is_retried_while_the_payment_stays_in_flight(SimProfile profile)
    {
        await using var net = await SimPay.LineAsync(profile);
        var invoice = await net.Raw("carol").Lightning.AddInvoiceAsync(new Invoice { Value = 10_000 });
        net["alice"].FailNextParts(2);

        var updates = await SimPay.PayAsync(net.Raw("alice"), SimPay.Request(invoice.PaymentRequest));

        Assert.All(updates[..^1], u => Assert.Equal(PaymentStatus.InFlight, u.Status));
        var final = updates[^1];
        Assert.Equal(PaymentStatus.Succeeded, final.Status);
        Assert.Equal([HTLCStatus.Failed, HTLCStatus.Failed, HTLCStatus.Succeeded], final.Htlcs.Select(h => h.Status));
        Assert.All(final.Htlcs.Take(2), h =>
        {
            Assert.Equal(Failure.Types.FailureCode.TemporaryChannelFailure, h.Failure.Code);
            Assert.Equal(1u, h.Failure.FailureSourceIndex);
            Assert.True(h.ResolveTimeNs >= h.AttemptTimeNs);
        });
        Assert.Equal(3, final.Htlcs.Select(h => h.AttemptId).Distinct().Count());
        // Only the attempt that went through costs a fee.
        Assert.Equal(final.Htlcs[2].Route.TotalFeesMsat, final.FeeMsat);
        Assert.Equal(1_000_000_000 - 10_000_000 - final.FeeMsat, net["alice"].LocalBalanceMsat);
    }

    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task A_succeeded_payment_carries_lnds_fields_and_its_attempt_with_route_and_preimage(SimProfile profile)
    {
        await using var net = await SimPay.LineAsync(profile);
        var invoice = await net.Raw("carol").Lightning.AddInvoiceAsync(new Invoice { Value = 50_000 });

        var final = (await SimPay.PayAsync(net.Raw("alice"), SimPay.Request(invoice.PaymentRequest)))[^1];

        Assert.Equal(PaymentStatus.Succeeded, final.Status);
        Assert.Equal(PaymentFailureReason.FailureReasonNone, final.FailureReason);
        Assert.Equal((50_000, 50_000_000L), (final.ValueSat, final.ValueMsat));
        // Bob's policy on bob→carol: 2,000 msat + 1,000 ppm of 50,000,000 msat.
        Assert.Equal((52L, 52_000L), (final.FeeSat, final.FeeMsat));
        Assert.Equal(1UL, final.PaymentIndex);
        Assert.True(final.CreationTimeNs > 0);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Convert.FromHexString(final.PaymentPreimage))).ToLowerInvariant(), final.PaymentHash);

        var attempt = Assert.Single(final.Htlcs);
        Assert.Equal(HTLCStatus.Succeeded, attempt.Status);
        Assert.Equal(final.PaymentPreimage, Convert.ToHexString(attempt.Preimage.ToByteArray()).ToLowerInvariant());
        Assert.True(attempt.AttemptTimeNs > 0 && attempt.ResolveTimeNs >= attempt.AttemptTimeNs);
        var route = attempt.Route;
        Assert.Equal((50_052_000L, 52_000L), (route.TotalAmtMsat, route.TotalFeesMsat));
        // Height 800 + carol's final delta 80 + LND's 3 blocks of padding + bob's time lock delta 80.
        Assert.Equal(963u, route.TotalTimeLock);
        Assert.Equal([net["bob"].PubKey, net["carol"].PubKey], route.Hops.Select(h => h.PubKey));
        Assert.Equal([50_000_000L, 50_000_000L], route.Hops.Select(h => h.AmtToForwardMsat));
        Assert.Equal([52_000L, 0L], route.Hops.Select(h => h.FeeMsat));
        Assert.Equal([883u, 883u], route.Hops.Select(h => h.Expiry));
        var channels = net.Simulation.Network.ChannelsOf("bob");
        Assert.Equal(channels.Select(c => c.Id), route.Hops.Select(h => h.ChanId));
        Assert.Equal(invoice.PaymentAddr, route.Hops[^1].MppRecord.PaymentAddr);
    }

    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task A_cancelled_split_hold_invoice_fails_every_part_and_refunds_the_payer(SimProfile profile)
    {
        await using var net = await SimPay.LineAsync(profile);
        var (preimage, hold) = await HoldInvoiceAsync(net.Raw("carol"), 40_000);
        var hash = SHA256.HashData(preimage);
        net["alice"].SplitNextPayment(2);
        var before = net["alice"].LocalBalanceMsat;

        var paying = SimPay.PayAsync(net.Raw("alice"), SimPay.Request(hold.PaymentRequest));
        await SimPay.InvoiceUntilAsync(net.Raw("carol"), hash, InvoiceState.Accepted);
        await net.Raw("carol").Invoices.CancelInvoiceAsync(new CancelInvoiceMsg { PaymentHash = ByteString.CopyFrom(hash) });
        var final = (await paying)[^1];

        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.FailureReasonIncorrectPaymentDetails), (final.Status, final.FailureReason));
        Assert.Equal(2, final.Htlcs.Count);
        Assert.All(final.Htlcs, h => Assert.Equal((HTLCStatus.Failed, Failure.Types.FailureCode.IncorrectOrUnknownPaymentDetails, 2u),
            (h.Status, h.Failure.Code, h.Failure.FailureSourceIndex)));
        Assert.Equal(before, net["alice"].LocalBalanceMsat);
        var cancelled = await net.Raw("carol").Lightning.LookupInvoiceAsync(new PaymentHash { RHash = ByteString.CopyFrom(hash) });
        Assert.All(cancelled.Htlcs, h => Assert.Equal(InvoiceHTLCState.Canceled, h.State));
    }

    [Fact]
    public async Task Past_timeout_seconds_a_failed_part_is_not_sent_again_and_the_payment_times_out()
    {
        await using var net = await SimPay.LineAsync(SimProfile.Realistic);
        var invoice = await net.Raw("carol").Lightning.AddInvoiceAsync(new Invoice { Value = 10_000 });
        net["alice"].FailNextParts(int.MaxValue);
        var request = SimPay.Request(invoice.PaymentRequest);
        request.TimeoutSeconds = 1;

        var final = (await SimPay.PayAsync(net.Raw("alice"), request))[^1];

        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.FailureReasonTimeout), (final.Status, final.FailureReason));
        Assert.True(final.Htlcs.Count > 1);
        Assert.All(final.Htlcs, h => Assert.Equal(HTLCStatus.Failed, h.Status));
        Assert.Equal(1_000_000_000, net["alice"].LocalBalanceMsat);
    }
}
