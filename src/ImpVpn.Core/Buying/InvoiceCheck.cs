using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Buying;

/// <summary>The seller's invoice, read by the user's own node and checked before anything is paid: it must pay the
/// seller, ask exactly the agreed amount, and commit (by its description hash) to the agreed terms.</summary>
public static class InvoiceCheck
{
    public static async Task<DecodedPaymentRequest> DecodeAsync(ILightningNode node, string paymentRequest, CancellationToken cancellationToken)
    {
        try
        {
            return await node.DecodePaymentRequestAsync(paymentRequest, cancellationToken).ConfigureAwait(false);
        }
        catch (LightningRpcException e)
        {
            // Malformed, or for another network: the seller's invoice, not the user's node, is at fault.
            throw new PurchaseException(PurchaseError.InvoiceMismatch, $"Your node cannot use the seller's invoice ({e.Message}). Nothing was paid.", e);
        }
    }

    public static void Require(DecodedPaymentRequest decoded, string sellerPubKey, long priceSat, byte[] termsHash)
    {
        if (!string.Equals(decoded.Destination, sellerPubKey, StringComparison.OrdinalIgnoreCase))
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch, $"The invoice pays {decoded.Destination}, not the seller {sellerPubKey}. Nothing was paid.");
        }

        if (decoded.AmountMsat != priceSat * 1000)
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch, $"The invoice asks {decoded.AmountMsat / 1000.0} sat, not the agreed {priceSat} sat. Nothing was paid.");
        }

        if (!decoded.DescriptionHash.AsSpan().SequenceEqual(termsHash))
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch, "The invoice's description hash does not commit to the agreed terms. Nothing was paid.");
        }
    }
}
