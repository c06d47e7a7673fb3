using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Whether the seller's hold invoices carry route hints to its private channels (LND's AddHoldInvoice `private`).
/// A seller reachable only through private (unannounced) channels is in no payer's graph: without hints no buyer finds
/// a route to it. A seller with an active public channel is found through the graph, and hints would only show
/// buyers the private channels it keeps out of it, so it gets none; that is what LND operators do with
/// `lncli addholdinvoice --private`. Asked for each invoice: channels open, close and go down while a seller runs.
/// </summary>
internal static class InvoiceRouteHints
{
    public static async Task<bool> WantedAsync(ILightningNode node, CancellationToken cancellationToken)
    {
        IReadOnlyList<ChannelSummary> channels;
        try
        {
            channels = await node.ListChannelsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (LightningRpcException)
        {
            // Not knowing is no reason to refuse a buyer: the invoice goes out as before, without hints.
            return false;
        }

        return channels.Any(c => c.Private) && !channels.Any(c => c is { Private: false, Active: true });
    }
}
