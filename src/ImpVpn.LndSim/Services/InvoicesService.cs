using Google.Protobuf;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Invoicesrpc;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>invoicesrpc.Invoices for one simulated node: hold invoices.</summary>
public sealed class InvoicesService(NodeContext context) : Invoices.InvoicesBase
{
    public override Task<AddHoldInvoiceResp> AddHoldInvoice(AddHoldInvoiceRequest request, ServerCallContext call)
    {
        if (request.Hash.Length != 32)
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, "hash must be exactly 32 bytes");
        }

        var valueMsat = request.ValueMsat != 0 ? request.ValueMsat : request.Value * 1000;
        var invoice = context.Network.AddInvoice(context.Node.Name, valueMsat, request.Memo, request.DescriptionHash.ToByteArray(),
            request.Expiry, request.Hash.ToByteArray(), request.CltvExpiry);
        return Task.FromResult(new AddHoldInvoiceResp
        {
            PaymentRequest = invoice.PaymentRequest,
            AddIndex = invoice.AddIndex,
            PaymentAddr = ByteString.CopyFrom(invoice.PaymentAddress),
        });
    }

    public override Task<SettleInvoiceResp> SettleInvoice(SettleInvoiceMsg request, ServerCallContext call)
    {
        context.Network.SettleHoldInvoice(context.Node.Name, request.Preimage.ToByteArray());
        return Task.FromResult(new SettleInvoiceResp());
    }

    public override Task<CancelInvoiceResp> CancelInvoice(CancelInvoiceMsg request, ServerCallContext call)
    {
        context.Network.CancelInvoice(context.Node.Name, request.PaymentHash.ToByteArray());
        return Task.FromResult(new CancelInvoiceResp());
    }

    public override async Task SubscribeSingleInvoice(SubscribeSingleInvoiceRequest request, IServerStreamWriter<Invoice> stream, ServerCallContext call)
    {
        try
        {
            // As LND: a subscription to a hash with no invoice yet is no error; it waits for the invoice to be added.
            // (Polled: invoices are added rarely and this is the simulator.)
            SimInvoice? invoice;
            while ((invoice = context.Network.LookupInvoice(context.Node.Name, request.RHash.ToByteArray())) is null)
            {
                await Task.Delay(50, call.CancellationToken);
            }

            while (true)
            {
                var (changed, snapshot) = context.Network.Read(() => (invoice.Changed.Task, invoice.ToProto()));
                await stream.WriteAsync(snapshot, call.CancellationToken);
                if (snapshot.State is Invoice.Types.InvoiceState.Settled or Invoice.Types.InvoiceState.Canceled)
                {
                    return;
                }

                await changed.WaitAsync(call.CancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
