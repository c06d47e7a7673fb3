using System.Security.Cryptography;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// A buyer accepts a quote: within the seller's caps, an address is leased and a hold invoice issued whose
/// description hash commits to the contract's terms; the contract is recorded as awaiting payment. Nothing can be
/// charged yet: the seller settles only once it has delivered (<see cref="Activation"/>).
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
    public async Task<AcceptResponse> AcceptAsync(string buyer, AcceptRequest request, WireGuardPublicKey buyerKey, CancellationToken cancellationToken)
    {
        using (await contracts.LockAsync(cancellationToken).ConfigureAwait(false))
        {
            await limits.MakeRoomForAcceptAsync(buyer, cancellationToken).ConfigureAwait(false);
            if (contracts.Open >= options.MaxOpenContracts || contracts.Active >= options.MaxActiveContracts)
            {
                throw new ProtocolException(ProtocolErrorCode.CapacityReached, "This seller is at capacity; try later.");
            }

            var now = clock.GetUtcNow();
            var address = pool.Lease();
            var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
            var preimage = RandomNumberGenerator.GetBytes(32);
            var hash = SHA256.HashData(preimage);
            var terms = new ContractTerms(id, sellerPubKey, buyer, buyerKey.ToBase64(), request.PriceSat, request.DurationSeconds, request.Nonce);
            var invoiceLifetime = Math.Max(60, request.ExpiresAt - now.ToUnixTimeSeconds());
            CreatedInvoice invoice;
            try
            {
                invoice = await node.AddHoldInvoiceAsync(new HoldInvoiceRequest(hash, request.PriceSat,
                    DescriptionHash: terms.DescriptionHash(), ExpirySeconds: invoiceLifetime), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // No contract holds the address: it goes back at once.
                pool.Release(address);
                throw;
            }

            var hostBits = pool.SellerTunnelAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
            contracts.Save(SoldContract.Accepted(
                id: id,
                buyerPubKey: buyer,
                priceSat: request.PriceSat,
                durationSeconds: request.DurationSeconds,
                nonce: request.Nonce,
                paymentHash: Convert.ToHexString(hash).ToLowerInvariant(),
                preimage: Convert.ToHexString(preimage).ToLowerInvariant(),
                paymentRequest: invoice.PaymentRequest,
                buyerWireGuardKey: buyerKey.ToBase64(),
                sellerWireGuardKey: sellerWireGuardKey.ToBase64(),
                endpoint: options.Endpoint,
                buyerTunnelAddress: address.ToString(),
                sellerTunnelAddress: pool.SellerTunnelAddress.ToString(),
                allowedIps: [new IpPrefix(pool.SellerTunnelAddress, hostBits).ToString()],
                quoteExpiresAt: now.AddSeconds(invoiceLifetime)));
            log.Log(LogLevel.Info, $"Contract {id} accepted by {buyer[..16]}…: {request.PriceSat} sat, hold invoice issued.");
            return new AcceptResponse(id, invoice.PaymentRequest, address.ToString());
        }
    }
}
