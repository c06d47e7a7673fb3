using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Waiting, bounded, for a buyer's payment to be held: the seller's node is asked about the hold invoice again and
/// again (LookupInvoice, every ILightningNode has it) with pauses growing from 50 ms to 1 s, until it is ACCEPTED, is
/// cancelled or unknown (it never will be), or the bound passes. Holds no lock: the caller reads its contract again
/// afterwards.
/// </summary>
internal static class PaymentArrival
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(1);

    /// <summary>True once the invoice for <paramref name="paymentHashHex"/> is held (or settled); false when it is
    /// cancelled, unknown, or still open after <paramref name="bound"/>.</summary>
    public static async Task<bool> WaitAsync(ILightningNode node, string paymentHashHex, TimeSpan bound, CancellationToken cancellationToken)
    {
        var hash = PaymentHashes.ParseHex32(paymentHashHex, "payment hash");
        var deadline = DateTime.UtcNow + bound;
        var pause = FirstPause;
        while (true)
        {
            var invoice = await node.LookupInvoiceAsync(hash, cancellationToken).ConfigureAwait(false);
            switch (invoice?.State)
            {
                case InvoiceState.Accepted or InvoiceState.Settled:
                    return true;
                case InvoiceState.Open:
                    break;
                default:
                    return false;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.Delay(pause < left ? pause : left, cancellationToken).ConfigureAwait(false);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }
}
