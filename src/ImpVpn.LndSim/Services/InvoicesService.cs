using Google.Protobuf;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Invoicesrpc;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>invoicesrpc.Invoices for one simulated node: hold invoices.</summary>
public sealed class InvoicesService(NodeContext nodeContext) : Invoices.InvoicesBase
{
    public override Task<AddHoldInvoiceResp> AddHoldInvoice(AddHoldInvoiceRequest request, ServerCallContext context)
    {
        if (request.Hash.Length != 32)
        {
            throw SimErrors.Of(StatusCode.InvalidArgument, "hash must be exactly 32 bytes");
        }

        var valueMsat = request.ValueMsat != 0 ? request.ValueMsat : request.Value * 1000;
        var invoice = nodeContext.Network.AddInvoice(nodeContext.Node.Name, valueMsat, request.Memo, request.DescriptionHash.ToByteArray(),
            request.Expiry, request.Hash.ToByteArray(), request.CltvExpiry, request.Private);
        return Task.FromResult(new AddHoldInvoiceResp
        {
            PaymentRequest = invoice.PaymentRequest,
            AddIndex = invoice.AddIndex,
            PaymentAddr = ByteString.CopyFrom(invoice.PaymentAddress),
        });
    }

    public override Task<SettleInvoiceResp> SettleInvoice(SettleInvoiceMsg request, ServerCallContext context)
    {
        nodeContext.Network.SettleHoldInvoice(nodeContext.Node.Name, request.Preimage.ToByteArray());
        return Task.FromResult(new SettleInvoiceResp());
    }

    public override Task<CancelInvoiceResp> CancelInvoice(CancelInvoiceMsg request, ServerCallContext context)
    {
        nodeContext.Network.CancelInvoice(nodeContext.Node.Name, request.PaymentHash.ToByteArray());
        return Task.FromResult(new CancelInvoiceResp());
    }

    public override async Task SubscribeSingleInvoice(SubscribeSingleInvoiceRequest request, IServerStreamWriter<Invoice> responseStream, ServerCallContext context)
    {
        try
        {
            // As LND: a subscription to a hash with no invoice yet is no error; it waits for the invoice to be added.
            // (Polled: invoices are added rarely and this is the simulator.)
            SimInvoice? invoice;
            while ((invoice = nodeContext.Network.LookupInvoice(nodeContext.Node.Name, request.RHash.ToByteArray())) is null)
            {
                await Task.Delay(50, context.CancellationToken);
            }

            while (true)
            {
                var (changed, snapshot) = nodeContext.Network.Read(() => (invoice.Changed.Task, invoice.ToProto()));
                await responseStream.WriteAsync(snapshot, context.CancellationToken);
                if (snapshot.State is Invoice.Types.InvoiceState.Settled or Invoice.Types.InvoiceState.Canceled)
                {
                    return;
                }

                await changed.WaitAsync(context.CancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
