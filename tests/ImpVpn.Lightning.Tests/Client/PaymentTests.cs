using System.Security.Cryptography;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.LndSim.Network;
using SimFailure = ImpVpn.Lnd.Rpc.Lnrpc.PaymentFailureReason;

namespace ImpVpn.Lightning.Tests.Client;

public sealed class PaymentTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<TestNetwork> AliceAndBobAsync()
    {
        var net = await TestNetwork.StartAsync("alice", "bob", "carol");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000, 100_000);
        return net;
    }

    [Fact]
    public async Task An_invoice_paid_from_another_node_settles_and_moves_the_balances()
    {
        await using var net = await AliceAndBobAsync();
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");
        var aliceBefore = (await alice.GetChannelBalanceAsync(None)).LocalSat;
        var bobBefore = (await bob.GetChannelBalanceAsync(None)).LocalSat;

        var invoice = await bob.AddInvoiceAsync(new InvoiceRequest(25_000, "coffee"), None);
        var decoded = await alice.DecodePaymentRequestAsync(invoice.PaymentRequest, None);
        var result = await alice.PayAsync(new PaymentOrder(invoice.PaymentRequest, 10, TimeSpan.FromSeconds(30)), None);

        Assert.Equal(net["bob"].PubKey, decoded.Destination);
        Assert.Equal(25_000, decoded.AmountSat);
        Assert.Equal(invoice.PaymentHash, decoded.PaymentHash);
        Assert.Equal(PaymentStatus.Succeeded, result.Status);
        Assert.Equal(invoice.PaymentHash, SHA256.HashData(result.Preimage!));
        Assert.Equal(InvoiceState.Settled, (await bob.LookupInvoiceAsync(invoice.PaymentHash, None))!.State);
        Assert.Equal(aliceBefore - 25_000, (await alice.GetChannelBalanceAsync(None)).LocalSat);
        Assert.Equal(bobBefore + 25_000, (await bob.GetChannelBalanceAsync(None)).LocalSat);
        Assert.Equal(PaymentStatus.Succeeded, (await alice.TrackPaymentAsync(invoice.PaymentHash, true, None))!.Status);
    }

    [Fact]
    public async Task A_two_hop_payment_pays_the_routing_fee_and_respects_the_fee_limit()
    {
        await using var net = await AliceAndBobAsync();
        await net.Simulation.OpenChannelAsync("bob", "carol", 1_000_000, 0, new FeePolicy(2_000, 1_000));
        var alice = await net.ClientAsync("alice");
        var carol = await net.ClientAsync("carol");
        var before = net["alice"].LocalBalanceMsat;

        var tooCheap = await carol.AddInvoiceAsync(new InvoiceRequest(50_000), None);
        var refused = await alice.PayAsync(new PaymentOrder(tooCheap.PaymentRequest, 0, TimeSpan.FromSeconds(30)), None);
        var invoice = await carol.AddInvoiceAsync(new InvoiceRequest(50_000), None);
        var paid = await alice.PayAsync(new PaymentOrder(invoice.PaymentRequest, 100, TimeSpan.FromSeconds(30)), None);

        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.NoRoute), (refused.Status, refused.FailureReason));
        Assert.Equal(PaymentStatus.Succeeded, paid.Status);
        // Bob's policy on bob→carol: 2,000 msat + 1,000 ppm of 50,000,000 msat = 52,000 msat.
        Assert.Equal(52, paid.FeeSat);
        Assert.Equal(before - 50_000_000 - 52_000, net["alice"].LocalBalanceMsat);
    }

    [Fact]
    public async Task A_settled_hold_invoice_pays_once_and_a_cancelled_one_refunds_the_payer()
    {
        await using var net = await AliceAndBobAsync();
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");
        var before = (await alice.GetChannelBalanceAsync(None)).LocalSat;

        // Settled.
        var preimage = RandomNumberGenerator.GetBytes(32);
        var hold = await bob.AddHoldInvoiceAsync(new HoldInvoiceRequest(SHA256.HashData(preimage), 30_000), None);
        var paying = alice.PayAsync(new PaymentOrder(hold.PaymentRequest, 10, TimeSpan.FromSeconds(60)), None);
        await WaitForStateAsync(bob, hold.PaymentHash, InvoiceState.Accepted);
        Assert.False(paying.IsCompleted);
        Assert.Equal(PaymentStatus.InFlight, (await alice.TrackPaymentAsync(hold.PaymentHash, false, None))!.Status);
        Assert.Equal(before - 30_000, (await alice.GetChannelBalanceAsync(None)).LocalSat);
        await bob.SettleInvoiceAsync(preimage, None);
        var settled = await paying;
        Assert.Equal(PaymentStatus.Succeeded, settled.Status);
        Assert.Equal(preimage, settled.Preimage);
        Assert.Equal(before - 30_000, (await alice.GetChannelBalanceAsync(None)).LocalSat);
        var again = await Assert.ThrowsAsync<LightningRpcException>(() => alice.PayAsync(new PaymentOrder(hold.PaymentRequest, 10, TimeSpan.FromSeconds(60)), None));
        Assert.Contains("already paid", again.Message);

        // Cancelled.
        var cancelledHash = SHA256.HashData(RandomNumberGenerator.GetBytes(32));
        var cancelled = await bob.AddHoldInvoiceAsync(new HoldInvoiceRequest(cancelledHash, 40_000), None);
        var refused = alice.PayAsync(new PaymentOrder(cancelled.PaymentRequest, 10, TimeSpan.FromSeconds(60)), None);
        await WaitForStateAsync(bob, cancelledHash, InvoiceState.Accepted);
        Assert.Equal(before - 30_000 - 40_000, (await alice.GetChannelBalanceAsync(None)).LocalSat);
        await bob.CancelInvoiceAsync(cancelledHash, None);
        var failed = await refused;
        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.IncorrectPaymentDetails), (failed.Status, failed.FailureReason));
        Assert.Equal(before - 30_000, (await alice.GetChannelBalanceAsync(None)).LocalSat);
        Assert.Equal(InvoiceState.Canceled, (await bob.LookupInvoiceAsync(cancelledHash, None))!.State);
    }

    [Fact]
    public async Task Payments_fail_with_lnds_reasons()
    {
        await using var net = await AliceAndBobAsync();
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");
        var carol = await net.ClientAsync("carol");
        var order = (string request) => new PaymentOrder(request, 10, TimeSpan.FromSeconds(30));

        var tooBig = await alice.PayAsync(order((await bob.AddInvoiceAsync(new InvoiceRequest(5_000_000), None)).PaymentRequest), None);
        var unreachable = await alice.PayAsync(order((await carol.AddInvoiceAsync(new InvoiceRequest(1_000), None)).PaymentRequest), None);
        var expiring = await bob.AddInvoiceAsync(new InvoiceRequest(1_000, ExpirySeconds: 1), None);
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        // LND refuses an expired request outright and records no payment.
        var expired = await Assert.ThrowsAsync<LightningRpcException>(() => alice.PayAsync(order(expiring.PaymentRequest), None));
        net["alice"].FailNextPayment(SimFailure.FailureReasonTimeout);
        var timedOut = await alice.PayAsync(order((await bob.AddInvoiceAsync(new InvoiceRequest(1_000), None)).PaymentRequest), None);

        Assert.Equal(PaymentFailureReason.InsufficientBalance, tooBig.FailureReason);
        Assert.Equal(PaymentFailureReason.NoRoute, unreachable.FailureReason);
        Assert.Contains("invoice expired", expired.Message);
        Assert.Null(await alice.TrackPaymentAsync(expiring.PaymentHash, false, None));
        Assert.Equal(PaymentFailureReason.Timeout, timedOut.FailureReason);
        Assert.All([tooBig, unreachable, timedOut], r => Assert.Equal(PaymentStatus.Failed, r.Status));
        Assert.Null(await alice.TrackPaymentAsync(RandomNumberGenerator.GetBytes(32), false, None));
    }

    [Fact]
    public async Task Tracking_a_payment_cut_short_by_cancellation_throws_rather_than_reporting_no_payment()
    {
        await using var net = await AliceAndBobAsync();
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");
        var preimage = RandomNumberGenerator.GetBytes(32);
        var hold = await bob.AddHoldInvoiceAsync(new HoldInvoiceRequest(SHA256.HashData(preimage), 1_000), None);
        var paying = alice.PayAsync(new PaymentOrder(hold.PaymentRequest, 10, TimeSpan.FromSeconds(30)), None);
        await WaitForStateAsync(bob, hold.PaymentHash, InvoiceState.Accepted);
        using var stop = new CancellationTokenSource();

        // Held: waiting for a final state waits until the token stops it.
        var waiting = alice.TrackPaymentAsync(hold.PaymentHash, waitForFinal: true, stop.Token);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await bob.SettleInvoiceAsync(preimage, None);
        Assert.Equal(PaymentStatus.Succeeded, (await paying).Status);
    }

    [Fact]
    public async Task Invoice_subscriptions_report_each_change_and_stop_when_cancelled()
    {
        await using var net = await AliceAndBobAsync();
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");
        var preimage = RandomNumberGenerator.GetBytes(32);
        var hash = SHA256.HashData(preimage);
        var hold = await bob.AddHoldInvoiceAsync(new HoldInvoiceRequest(hash, 2_000, DescriptionHash: SHA256.HashData("terms"u8.ToArray())), None);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var states = new List<InvoiceState>();

        var watching = Task.Run(async () =>
        {
            await foreach (var invoice in bob.SubscribeSingleInvoiceAsync(hash, stop.Token))
            {
                states.Add(invoice.State);
            }
        });
        while (states.Count == 0)
        {
            // The subscription's first answer (the current state) must be in before the payment starts.
            await Task.Delay(20, stop.Token);
        }

        var paying = alice.PayAsync(new PaymentOrder(hold.PaymentRequest, 10, TimeSpan.FromSeconds(30)), None);
        await WaitForStateAsync(bob, hash, InvoiceState.Accepted);
        await bob.SettleInvoiceAsync(preimage, None);
        await paying;
        await watching.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal([InvoiceState.Open, InvoiceState.Accepted, InvoiceState.Settled], states.Distinct());
        Assert.Equal(SHA256.HashData("terms"u8.ToArray()), (await alice.DecodePaymentRequestAsync(hold.PaymentRequest, None)).DescriptionHash);
    }

    [Fact]
    public async Task An_invoice_for_another_network_is_refused_by_decode_and_by_pay()
    {
        await using var net = await AliceAndBobAsync();
        var alice = await net.ClientAsync("alice");
        var bob = await net.ClientAsync("bob");
        var regtest = await bob.AddInvoiceAsync(new InvoiceRequest(1_000), None);
        var mainnet = ImpVpn.LndSim.Crypto.Bolt11Encoder.Encode(
            ImpVpn.LndSim.Crypto.Bolt11Decoder.Decode(regtest.PaymentRequest) with { Currency = "bc" }, ImpVpn.LndSim.Crypto.NodeKey.Generate());
        Assert.StartsWith("lnbc", mainnet);

        var decode = await Assert.ThrowsAsync<LightningRpcException>(() => alice.DecodePaymentRequestAsync(mainnet, None));
        var pay = await Assert.ThrowsAsync<LightningRpcException>(() => alice.PayAsync(new PaymentOrder(mainnet, 10, TimeSpan.FromSeconds(30)), None));

        Assert.Contains("not for current active network 'regtest'", decode.Message);
        Assert.Contains("not for current active network", pay.Message);
        Assert.Null(await alice.TrackPaymentAsync(regtest.PaymentHash, false, None));
    }

    [Fact]
    public async Task A_subscription_made_before_its_invoice_exists_waits_for_it_as_lnd_does()
    {
        await using var net = await AliceAndBobAsync();
        var bob = await net.ClientAsync("bob");
        var preimage = RandomNumberGenerator.GetBytes(32);
        var hash = SHA256.HashData(preimage);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var first = Task.Run(async () =>
        {
            await foreach (var invoice in bob.SubscribeSingleInvoiceAsync(hash, stop.Token))
            {
                return invoice;
            }

            return null;
        });

        // Give the subscription time to reach the node first (an ordering aid, not a timed assertion): LND answers it
        // by waiting, where a NotFound would fault the task.
        await Task.Delay(300);
        Assert.False(first.IsFaulted);
        await bob.AddHoldInvoiceAsync(new HoldInvoiceRequest(hash, 3_000), None);

        var seen = await first;
        Assert.NotNull(seen);
        Assert.Equal((InvoiceState.Open, 3_000L), (seen.State, seen.ValueSat));
    }

    internal static async Task WaitForStateAsync(LndNode node, byte[] hash, InvoiceState state)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var invoice in node.SubscribeSingleInvoiceAsync(hash, stop.Token))
        {
            if (invoice.State == state)
            {
                return;
            }
        }

        throw new TimeoutException($"Invoice never reached {state}.");
    }
}
