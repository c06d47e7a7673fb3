using System.Security.Cryptography;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>
/// The key of a hold invoice the seller issues for a purchase or a refresh, and issuing it. Under protocol version 2
/// it is the buyer's payment hash, and the seller has no preimage until the buyer claims; under version 1 the seller
/// makes the preimage itself.
/// </summary>
internal sealed record HoldInvoiceKey(byte[] Hash, string Preimage)
{
    public string HashHex => Convert.ToHexString(Hash).ToLowerInvariant();

    /// <param name="buyerPaymentHash">the buyer's payment hash (version 2); null for version 1.</param>
    public static HoldInvoiceKey For(byte[]? buyerPaymentHash)
    {
        if (buyerPaymentHash is not null)
        {
            return new HoldInvoiceKey(buyerPaymentHash, string.Empty);
        }

        var preimage = RandomNumberGenerator.GetBytes(32);
        return new HoldInvoiceKey(SHA256.HashData(preimage), Convert.ToHexString(preimage).ToLowerInvariant());
    }

    /// <summary>Issues the hold invoice, with route hints when the seller is reachable only through private channels
    /// (<see cref="InvoiceRouteHints"/>). A buyer's hash the node already has an invoice for (another contract's, or a
    /// replay) is the buyer's error, invalid params: a payment hash pays one invoice only.</summary>
    public async Task<CreatedInvoice> IssueAsync(ILightningNode node, long amountSat, byte[] descriptionHash, long expirySeconds, CancellationToken cancellationToken)
    {
        var routeHints = await InvoiceRouteHints.WantedAsync(node, cancellationToken).ConfigureAwait(false);
        try
        {
            return await node.AddHoldInvoiceAsync(new HoldInvoiceRequest(Hash, amountSat, DescriptionHash: descriptionHash, ExpirySeconds: expirySeconds, Private: routeHints),
                cancellationToken).ConfigureAwait(false);
        }
        catch (LightningRpcException e) when (Preimage.Length == 0 && e.Code == "AlreadyExists")
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, "That payment hash is already in use; make a new preimage.");
        }
    }

    // The preimage is the seller's secret until it settles: keep it out of the compiler's ToString.
    public override string ToString() => $"Hold invoice key {HashHex[..16]}…";
}
