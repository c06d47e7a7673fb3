using Google.Protobuf;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Invoicesrpc;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.Lnd.Rpc.Routerrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>Small steps the simulator payment tests share, over LND's generated clients.</summary>
internal static class SimPay
{
    /// <summary>alice → bob → carol (1,000,000 sat each, all on the opener's side); bob charges 2,000 msat + 1,000 ppm
    /// to forward to carol. <paramref name="others"/> are more nodes, without channels.</summary>
    public static async Task<TestNetwork> LineAsync(SimProfile profile, params string[] others)
    {
        var net = await TestNetwork.StartAsync(profile, ["alice", "bob", "carol", .. others]);
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        await net.Simulation.OpenChannelAsync("bob", "carol", 1_000_000, 0, new FeePolicy(2_000, 1_000));
        return net;
    }

    public static bool IsFinal(Payment payment) =>
        payment.Status is Payment.Types.PaymentStatus.Succeeded or Payment.Types.PaymentStatus.Failed;

    /// <summary>Every update of SendPaymentV2 until the payment is final.</summary>
    public static async Task<List<Payment>> PayAsync(RawLnd payer, SendPaymentRequest request)
    {
        using var call = payer.Router.SendPaymentV2(request);
        var updates = new List<Payment>();
        await foreach (var update in call.ResponseStream.ReadAllAsync())
        {
            updates.Add(update);
            if (IsFinal(update))
            {
                break;
            }
        }

        return updates;
    }

    public static SendPaymentRequest Request(string paymentRequest, long feeLimitSat = 100) =>
        new() { PaymentRequest = paymentRequest, FeeLimitSat = feeLimitSat, TimeoutSeconds = 60 };

    /// <summary>Follows TrackPaymentV2 until the payment satisfies <paramref name="done"/>.</summary>
    public static async Task<Payment> TrackUntilAsync(RawLnd payer, byte[] hash, Func<Payment, bool> done)
    {
        using var call = payer.Router.TrackPaymentV2(new TrackPaymentRequest { PaymentHash = ByteString.CopyFrom(hash) });
        await foreach (var update in call.ResponseStream.ReadAllAsync())
        {
            if (done(update))
            {
                return update;
            }
        }

        throw new InvalidOperationException("The payment stream ended first.");
    }

    /// <summary>Every SubscribeSingleInvoice update until the invoice reaches <paramref name="state"/>.</summary>
    public static async Task<List<Invoice>> InvoiceUntilAsync(RawLnd payee, byte[] hash, Invoice.Types.InvoiceState state)
    {
        using var call = payee.Invoices.SubscribeSingleInvoice(new SubscribeSingleInvoiceRequest { RHash = ByteString.CopyFrom(hash) });
        var updates = new List<Invoice>();
        await foreach (var update in call.ResponseStream.ReadAllAsync())
        {
            updates.Add(update);
            if (update.State == state)
            {
                return updates;
            }
        }

        throw new InvalidOperationException("The invoice stream ended first.");
    }
}
