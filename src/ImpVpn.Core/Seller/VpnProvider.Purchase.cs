using System.Net;
using System.Security.Cryptography;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Seller;

/// <summary>The seller's side of a purchase: quote (stateless, signed with the promise), accept (a hold invoice committed to the terms), activate (the peer is added, then the invoice settled).</summary>
public sealed partial class VpnProvider
{
    private Task<object> QuoteAsync(string peer, QuoteRequest request)
    {
        if (!_rateLimiter.TryTake(peer))
        {
            throw new ProtocolException(ProtocolErrorCode.RateLimited, "Too many quotes; try again in a minute.");
        }

        var offer = request.Offer ?? new TunnelOffer();
        if (offer.AddressFamily != (_options.Subnet.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4")
            || offer.Mode != "node-to-node")
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"This seller offers {OfferedFamily()} node-to-node tunnels only.");
        }

        var duration = TimeSpan.FromSeconds(request.DurationSeconds);
        var price = _options.Pricing.PriceFor(duration);
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var expires = _clock.GetUtcNow().Add(_options.QuoteLifetime).ToUnixTimeSeconds();
        _log.Log(LogLevel.Verbose, $"Quote for {peer[..16]}…: {price} sat for {duration}.");
        return Task.FromResult<object>(new QuoteResponse(nonce, price, request.DurationSeconds, expires, offer,
            _promise.Sign(peer, nonce, price, request.DurationSeconds, expires, offer)));
    }

    private string OfferedFamily() => _options.Subnet.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";

    private async Task<object> AcceptAsync(string peer, AcceptRequest request, CancellationToken cancellationToken)
    {
        if (!_promise.Verify(peer, request.Nonce, request.PriceSat, request.DurationSeconds, request.ExpiresAt, request.Offer, request.Promise))
        {
            throw new ProtocolException(ProtocolErrorCode.TermsMismatch, "These are not the terms this seller quoted to you.");
        }

        var now = _clock.GetUtcNow();
        if (now.ToUnixTimeSeconds() >= request.ExpiresAt)
        {
            throw new ProtocolException(ProtocolErrorCode.QuoteExpired, "The quote has expired; ask for a new one.");
        }

        if (!WireGuardPublicKey.TryParse(request.BuyerWireGuardKey, out var buyerKey))
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, "buyer_wire_guard_key is not a WireGuard public key.");
        }

        // Remember used nonces until their quote would have expired anyway: bounded state.
        foreach (var (stale, until) in _usedNonces.Where(n => n.Value < now).ToList())
        {
            _usedNonces.TryRemove(stale, out _);
        }

        if (!_usedNonces.TryAdd(request.Nonce, DateTimeOffset.FromUnixTimeSeconds(request.ExpiresAt)))
        {
            throw new ProtocolException(ProtocolErrorCode.NonceReused, "This quote was accepted already; ask for a new one.");
        }

        await _contractGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var contracts = _store.All(ReportUnreadable).Where(c => c.Role == ContractRole.Seller).ToList();
            if (contracts.Count(c => c.State == ContractState.AwaitingPayment) >= _options.MaxOpenContracts
                || contracts.Count(c => c.State == ContractState.Active) >= _options.MaxActiveContracts)
            {
                throw new ProtocolException(ProtocolErrorCode.CapacityReached, "This seller is at capacity; try later.");
            }

            var address = _pool.Lease();
            var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
            var preimage = RandomNumberGenerator.GetBytes(32);
            var hash = SHA256.HashData(preimage);
            var terms = new ContractTerms(id, _myPubKey, peer, buyerKey!.ToBase64(), request.PriceSat, request.DurationSeconds, request.Nonce);
            var invoiceLifetime = Math.Max(60, request.ExpiresAt - now.ToUnixTimeSeconds());
            CreatedInvoice invoice;
            try
            {
                invoice = await _node.AddHoldInvoiceAsync(new HoldInvoiceRequest(hash, request.PriceSat,
                    DescriptionHash: terms.DescriptionHash(), ExpirySeconds: invoiceLifetime), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _pool.Release(address);
                throw;
            }

            _store.Save(new ContractRecord
            {
                Id = id,
                Role = ContractRole.Seller,
                PeerPubKey = peer,
                State = ContractState.AwaitingPayment,
                PriceSat = request.PriceSat,
                DurationSeconds = request.DurationSeconds,
                Nonce = request.Nonce,
                PaymentHash = Convert.ToHexString(hash).ToLowerInvariant(),
                Preimage = Convert.ToHexString(preimage).ToLowerInvariant(),
                PaymentRequest = invoice.PaymentRequest,
                BuyerWireGuardKey = buyerKey.ToBase64(),
                SellerWireGuardKey = PublicKey.ToBase64(),
                Endpoint = _options.Endpoint,
                BuyerAddress = address.ToString(),
                SellerAddress = _pool.SellerAddress.ToString(),
                AllowedIps = [new IpPrefix(_pool.SellerAddress, _pool.SellerAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32).ToString()],
                QuoteExpiresAt = now.AddSeconds(invoiceLifetime),
            });
            _log.Log(LogLevel.Info, $"Contract {id} accepted by {peer[..16]}…: {request.PriceSat} sat, hold invoice issued.");
            return new AcceptResponse(id, invoice.PaymentRequest, address.ToString());
        }
        finally
        {
            _contractGate.Release();
        }
    }

    private async Task<object> ActivateAsync(string peer, ActivateRequest request, CancellationToken cancellationToken)
    {
        await _contractGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var contract = OwnContract(peer, request.ContractId);
            var hash = request.PaymentHash.ToLowerInvariant();
            if (contract.Refresh is { } refresh && refresh.PaymentHash == hash)
            {
                return await ExtendAsync(contract, refresh, cancellationToken).ConfigureAwait(false);
            }

            if (hash != contract.PaymentHash)
            {
                throw new ProtocolException(ProtocolErrorCode.NotPaid, "That payment hash belongs to no invoice of this contract.");
            }

            if (contract.State == ContractState.Active)
            {
                // Recorded active but not settled (this seller died in between): the buyer's held payment is its
                // proof, and settling completes the purchase.
                if (!contract.InvoiceSettled && await SettleIfHeldAsync(contract.PaymentHash, contract.Preimage!, cancellationToken).ConfigureAwait(false))
                {
                    var settledNow = contract with { InvoiceSettled = true };
                    _store.Save(settledNow);
                    return Describe(settledNow);
                }

                // Already active: the buyer lost its config and proves payment with the preimage.
                if (request.Preimage is null || !string.Equals(request.Preimage, contract.Preimage, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ProtocolException(ProtocolErrorCode.NotPaid, "The contract is active; send the payment preimage to fetch its configuration again.");
                }

                return Describe(contract);
            }

            if (contract.State != ContractState.AwaitingPayment)
            {
                throw new ProtocolException(ProtocolErrorCode.ContractExpired, $"The contract is {contract.State}.");
            }

            var invoice = await _node.LookupInvoiceAsync(Convert.FromHexString(hash), cancellationToken).ConfigureAwait(false);
            if (invoice is null || invoice.State != InvoiceState.Accepted)
            {
                throw new ProtocolException(ProtocolErrorCode.NotPaid, "The hold invoice has not been paid yet.");
            }

            var activated = contract with { State = ContractState.Active, ExpiresAt = WholeSeconds(_clock.GetUtcNow().AddSeconds(contract.DurationSeconds)) };
            try
            {
                if (!_options.ConfigOnly)
                {
                    await AddPeerAsync(activated, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is WireGuardException or IOException)
            {
                // Nothing was delivered, so nothing is charged: cancelling the hold invoice refunds the buyer.
                await _node.CancelInvoiceAsync(Convert.FromHexString(hash), CancellationToken.None).ConfigureAwait(false);
                _store.Save(contract with { State = ContractState.Cancelled });
                _pool.Release(IPAddress.Parse(contract.BuyerAddress));
                _log.Log(LogLevel.Warning, $"Contract {contract.Id}: provisioning failed ({e.Message}); invoice cancelled, buyer refunded.");
                throw new ProtocolException(ProtocolErrorCode.ProvisioningFailed, "The seller could not set up the tunnel; your payment was refunded.");
            }

            // Record before settling: a crash between the two leaves an active, unsettled contract whose invoice is
            // still ACCEPTED, which the next start settles (FinishSettlementAsync) or the buyer's retry completes —
            // never a paid, unrecorded one.
            _store.Save(activated);
            await _node.SettleInvoiceAsync(Convert.FromHexString(contract.Preimage!), cancellationToken).ConfigureAwait(false);
            var settled = activated with { InvoiceSettled = true };
            _store.Save(settled);
            _log.Log(LogLevel.Info, $"Contract {contract.Id} active until {activated.ExpiresAt:u}; invoice settled.");
            return Describe(settled);
        }
        finally
        {
            _contractGate.Release();
        }
    }
}
