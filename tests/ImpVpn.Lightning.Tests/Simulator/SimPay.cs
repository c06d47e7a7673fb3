using Google.Protobuf;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Invoicesrpc;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.Lnd.Rpc.Routerrpc;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>Small steps the simulator payment tests share, over LND's generated clients.</summary>
internal static class SimPay
{
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
