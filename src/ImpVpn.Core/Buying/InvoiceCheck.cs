using ImpVpn.Core.Lightning;

namespace ImpVpn.Core.Buying;

/// <summary>The seller's invoice, read by the user's own node and checked before anything is paid: it must pay the
/// seller, ask exactly the agreed amount, commit (by its description hash) to the agreed terms, be for the payment
/// hash this buyer made (so only this buyer can let it settle), be unexpired, and ask a final CLTV no longer than
/// the buyer's bound (<see cref="BuyerOptions.MaxFinalCltvExpiry"/>, <see cref="DefaultMaxFinalCltvExpiry"/> unless
/// set). Purchase and refresh invoices alike.</summary>
public static class InvoiceCheck
{
    /// <summary>The longest final CLTV delta (blocks, about two days) a seller's invoice may ask by default. A hold
    /// invoice keeps the buyer's money in flight until settled or cancelled; a long final CLTV lets a seller that does
    /// neither keep it locked that much longer. LND's own default is 80; an invoice may ask up to 65,535.</summary>
    public const long DefaultMaxFinalCltvExpiry = 288;

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

    /// <param name="paymentHash">the hash of the preimage this buyer made, in hex.</param>
    /// <param name="maxFinalCltvExpiry">the longest final CLTV delta accepted (blocks).</param>
    public static void Require(DecodedPaymentRequest decoded, string sellerPubKey, long priceSat, byte[] termsHash, string paymentHash, DateTimeOffset now,
        long maxFinalCltvExpiry = DefaultMaxFinalCltvExpiry)
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

        if (!string.Equals(Convert.ToHexString(decoded.PaymentHash), paymentHash, StringComparison.OrdinalIgnoreCase))
        {
            // An invoice for a hash the seller chose would let the seller settle without this buyer's claim.
            throw new PurchaseException(PurchaseError.InvoiceMismatch, "The invoice is not for the payment hash this buyer made. Nothing was paid.");
        }

        if (decoded.ExpiresAt <= now)
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch, $"The invoice expired at {decoded.ExpiresAt:u}. Nothing was paid.");
        }

        if (decoded.CltvExpiry > maxFinalCltvExpiry)
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch,
                $"The invoice asks a final CLTV of {decoded.CltvExpiry} blocks; at most {maxFinalCltvExpiry} are accepted, since the money stays locked that long if the seller neither settles nor cancels. Nothing was paid.");
        }
    }
}
