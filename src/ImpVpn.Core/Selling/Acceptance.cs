using System.Security.Cryptography;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// A buyer accepts a quote: within the seller's caps, an address is leased and a hold invoice issued whose
/// description hash commits to the contract's terms; the contract is recorded as awaiting payment. Nothing can be
/// charged yet. Under protocol version 2 the invoice is for the buyer's payment hash, so the seller can settle only
/// once the buyer, having checked the tunnel, reveals the preimage (<see cref="Claim"/>); under version 1 the seller
/// makes the preimage and settles once it has added the peer (<see cref="Activation"/>).
/// </summary>
internal sealed class Acceptance(
    ILightningNode node,
    SoldContracts contracts,
    AddressPool pool,
    SellerLoadLimits limits,
    SellerOptions options,
    string sellerPubKey,
    WireGuardPublicKey sellerWireGuardKey,
    TimeProvider clock,
    IProgressLog log)
{
    /// <param name="buyerPaymentHash">the buyer's payment hash (version 2); null for version 1, where the seller
    /// makes the preimage.</param>
    public async Task<AcceptResponse> AcceptAsync(string buyer, AcceptRequest request, WireGuardPublicKey buyerKey, byte[]? buyerPaymentHash, CancellationToken cancellationToken)
    {
        using (await contracts.LockAsync(cancellationToken).ConfigureAwait(false))
        {
            await limits.MakeRoomForAcceptAsync(buyer, cancellationToken).ConfigureAwait(false);
            if (contracts.Open >= options.MaxOpenContracts || contracts.Active >= options.MaxActiveContracts)
            {
                throw new ProtocolException(ProtocolErrorCode.CapacityReached, "This seller is at capacity; try later.");
            }

            // The quote's promise vouches for the offer, and the quote desk sold only modes this seller sells.
            var mode = TunnelOfferVocabulary.StoredMode(request.Offer?.Mode);
            // A port forward's public port, chosen before anything is leased or issued (none free: capacity).
            var forwarded = mode == TunnelMode.PortForward
                ? ForwardedPorts.Reserve(options.PortForward ?? throw new ProtocolException(ProtocolErrorCode.OfferNotSold, "This seller forwards no ports."), contracts.Live)
                : null;
            var now = clock.GetUtcNow();
            var address = pool.Lease();
            var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
            var key = HoldInvoiceKey.For(buyerPaymentHash);
            var terms = new ContractTerms(id, sellerPubKey, buyer, buyerKey.ToBase64(), request.PriceSat, request.DurationSeconds, request.Nonce);
            var invoiceLifetime = Math.Max(60, request.ExpiresAt - now.ToUnixTimeSeconds());
            CreatedInvoice invoice;
            try
            {
                invoice = await key.IssueAsync(node, request.PriceSat, terms.DescriptionHash(), invoiceLifetime, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // No contract holds the address: it goes back at once.
                pool.Release(address);
                throw;
            }

            contracts.Save(SoldContract.Accepted(
                id: id,
                buyerPubKey: buyer,
                priceSat: request.PriceSat,
                durationSeconds: request.DurationSeconds,
                nonce: request.Nonce,
                paymentHash: key.HashHex,
                preimage: key.Preimage,
                paymentRequest: invoice.PaymentRequest,
                buyerWireGuardKey: buyerKey.ToBase64(),
                sellerWireGuardKey: sellerWireGuardKey.ToBase64(),
                endpoint: options.Endpoint,
                buyerTunnelAddress: address.ToString(),
                sellerTunnelAddress: pool.SellerTunnelAddress.ToString(),
                allowedIps: TunnelRoutes.AllowedIpsFor(mode, pool.SellerTunnelAddress),
                quoteExpiresAt: now.AddSeconds(invoiceLifetime),
                mode: mode,
                resolvers: mode == TunnelMode.Exit ? options.Resolvers : [],
                forwardedEndpoint: forwarded));
            log.Log(LogLevel.Info, $"Contract {id} accepted by {buyer[..16]}…: {request.PriceSat} sat, hold invoice issued.");
            return new AcceptResponse(id, invoice.PaymentRequest, address.ToString());
        }
    }
}
