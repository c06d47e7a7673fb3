using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// More time on an active contract: a refresh invoice (a hold invoice committed to the refresh's terms) and, once
/// it is paid, the time added and recorded; then, like the first purchase, the invoice is settled at once (version
/// 1) or once the buyer claims (version 2: the buyer made the preimage), and the time is taken back if it never does.
/// </summary>
internal sealed class Extension(
    ILightningNode node,
    SoldContracts contracts,
    HoldInvoiceSettlement settlement,
    SellerLoadLimits limits,
    PeerProvisioning provisioning,
    SellerOptions options,
    string sellerPubKey,
    TimeProvider clock,
    IProgressLog log)
{
    /// <summary>Issues a refresh invoice for <paramref name="request"/>; it replaces one asked for earlier.</summary>
    /// <param name="buyerPaymentHash">the buyer's payment hash (version 2); null for version 1.</param>
    public async Task<RefreshResponse> OfferAsync(string buyer, RefreshRequest request, byte[]? buyerPaymentHash, CancellationToken cancellationToken)
    {
        using (await contracts.LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var contract = contracts.SoldTo(buyer, request.ContractId);
            if (contract.State != SoldContractState.Active)
            {
                throw new ProtocolException(ProtocolErrorCode.ContractExpired, $"The contract is {contract.State}; buy a new one.");
            }

            if (contract.AwaitsClaim)
            {
                // More time on a tunnel not yet paid for would let a buyer that never claims keep it past its deadline.
                throw new ProtocolException(ProtocolErrorCode.NotPaid, "The purchase has not been claimed yet; claim it before refreshing.");
            }

            if (await SameRefreshAgainAsync(contract, request, buyerPaymentHash, cancellationToken).ConfigureAwait(false) is { } again)
            {
                return again;
            }

            limits.CountRefreshInvoice(contract.Id);

            var price = options.Pricing.PriceFor(TimeSpan.FromSeconds(request.DurationSeconds));
            if (contract.Refresh is { } earlier)
            {
                // The buyer asks again, so the earlier refresh will never be activated: an applied one is settled,
                // any other cancelled, which refunds a payment the buyer may have left held.
                if (earlier is { Applied: true, AwaitsClaim: false })
                {
                    var settled = await settlement.SettledAsync(earlier.PaymentHash, earlier.Preimage, cancellationToken).ConfigureAwait(false);
                    contract = contracts.Save(contract.RefreshCleared(settled));
                }
                else
                {
                    // Never paid, or paid and never claimed: the buyer's payment goes back and any time added with it.
                    var superseded = earlier.Applied ? contract.RefreshWithdrawn() : contract.RefreshCleared(settled: false);
                    // The admission shortened before the money goes back, as at a claim deadline.
                    await provisioning.FollowExpiryAsync(superseded, cancellationToken).ConfigureAwait(false);
                    await settlement.CancelQuietlyAsync(earlier.PaymentHash, "superseded by a new refresh", cancellationToken).ConfigureAwait(false);
                    contract = contracts.Save(superseded);
                }
            }

            var key = HoldInvoiceKey.For(buyerPaymentHash);
            var terms = new ContractTerms(contract.Id, sellerPubKey, buyer, contract.BuyerWireGuardKey, price, request.DurationSeconds, key.HashHex, "refresh");
            var invoice = await key.IssueAsync(node, price, terms.DescriptionHash(), (long)options.QuoteLifetime.TotalSeconds, cancellationToken).ConfigureAwait(false);
            contracts.Save(contract.WithRefreshInvoice(new SoldContract.PendingRefresh
            {
                PaymentHash = key.HashHex,
                Preimage = key.Preimage,
                DurationSeconds = request.DurationSeconds,
                PriceSat = price,
                InvoiceExpiresAt = clock.GetUtcNow().Add(options.QuoteLifetime),
            }));
            return new RefreshResponse(contract.Id, price, request.DurationSeconds, invoice.PaymentRequest);
        }
    }

    /// <summary>
    /// The refresh already pending asked for again, with the same payment hash and duration: its answer was lost, or
    /// this seller restarted and no longer remembers the request's id. The invoice issued for it is the answer, as
    /// long as the node still holds it open or paid. Superseding it instead would cancel it (refunding a payment the
    /// buyer may be making) and then fail to issue another invoice for the same hash, so a "not yet" would turn into a
    /// refusal. Null when the request is not that refresh again.
    /// </summary>
    private async Task<RefreshResponse?> SameRefreshAgainAsync(SoldContract contract, RefreshRequest request, byte[]? buyerPaymentHash, CancellationToken cancellationToken)
    {
        if (buyerPaymentHash is null
            || contract.Refresh is not { } pending
            || pending.DurationSeconds != request.DurationSeconds
            || !string.Equals(pending.PaymentHash, Convert.ToHexString(buyerPaymentHash), StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var issued = await node.LookupInvoiceAsync(buyerPaymentHash, cancellationToken).ConfigureAwait(false);
        if (issued is not { State: InvoiceState.Open or InvoiceState.Accepted })
        {
            return null;
        }

        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: the same refresh asked again; answering with the invoice already issued for it.");
        return new RefreshResponse(contract.Id, pending.PriceSat, pending.DurationSeconds, issued.PaymentRequest);
    }

    /// <summary>The buyer has paid <paramref name="refresh"/> (its invoice is held): the time is added from the
    /// current expiry, or from now when that has passed. Called with the contracts' lock held.</summary>
    public async Task<ActivateResponse> ApplyAsync(SoldContract contract, SoldContract.PendingRefresh refresh, CancellationToken cancellationToken)
    {
        if (refresh is { Applied: true, AwaitsClaim: true })
        {
            // Added and awaiting the buyer's claim: the buyer asks again (its answer was lost).
            return contract.Tunnel();
        }

        if (refresh.Applied)
        {
            // The time was added before a crash kept this seller from settling: settle now and answer as before.
            var settled = await settlement.SettledAsync(refresh.PaymentHash, refresh.Preimage, cancellationToken).ConfigureAwait(false);
            return contracts.Save(contract.RefreshCleared(settled)).Tunnel();
        }

        // Not yet held: Activation waits for it outside the lock and asks again.
        await settlement.RequireHeldAsync(refresh.PaymentHash, "The refresh invoice", cancellationToken).ConfigureAwait(false);

        if (contract.State != SoldContractState.Active)
        {
            await settlement.RefundAsync(refresh.PaymentHash).ConfigureAwait(false);
            contracts.Save(contract.RefreshCleared(settled: false));
            throw new ProtocolException(ProtocolErrorCode.ContractExpired, "The contract expired before the refresh was paid; the payment was refunded.");
        }

        var now = clock.GetUtcNow();
        var start = contract.ExpiresAt > now ? contract.ExpiresAt!.Value : now;
        // As with activation: the added time is recorded before settling, and marked applied so that a restart
        // between the two settles rather than forgets the invoice.
        var applied = contract.RefreshApplied(start.AddSeconds(refresh.DurationSeconds), now.Add(options.ClaimWindow));
        try
        {
            // The firewall's admission lengthened first, as a peer is admitted before it is added.
            await provisioning.FollowExpiryAsync(applied, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WireGuardException or IOException)
        {
            await settlement.RefundAsync(refresh.PaymentHash).ConfigureAwait(false);
            contracts.Save(contract.RefreshCleared(settled: false));
            log.Log(LogLevel.Warning, $"Contract {contract.Id}: the refresh could not be applied ({e.Message}); invoice cancelled, buyer refunded.");
            throw new ProtocolException(ProtocolErrorCode.ProvisioningFailed, "The seller could not extend the tunnel; your payment was refunded.");
        }

        var extended = contracts.Save(applied);
        if (refresh.AwaitsClaim)
        {
            log.Log(LogLevel.Info, $"Contract {contract.Id}: refresh applied until {extended.ExpiresAt:u}; awaiting the buyer's claim.");
            return extended.Tunnel();
        }

        await settlement.SettleAsync(refresh.Preimage, cancellationToken).ConfigureAwait(false);
        var finished = contracts.Save(extended.RefreshCleared(settled: true));
        log.Log(LogLevel.Info, $"Contract {contract.Id} refreshed until {finished.ExpiresAt:u}.");
        return finished.Tunnel();
    }
}
